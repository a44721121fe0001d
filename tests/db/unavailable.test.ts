import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * A database that cannot be reached, and a connection that stops answering
 * altogether: every ledger call ends with a typed LEDGER_UNAVAILABLE within its deadline, says whether
 * it certainly did not happen, and the app's pool recovers without a restart.
 *
 * The app's pool here goes through a TCP proxy the test can freeze (it then forwards nothing, in either
 * direction, as a dead network path or a pooler that dropped an answer would), with a short statement
 * timeout so that the deadline (statement timeout + 2 s) comes quickly, and a pool of one connection.
 */
vi.stubEnv('DATABASE_STATEMENT_TIMEOUT_MS', '500');
// One connection, so that the call under test runs on the connection the test freezes or drops answers on
// (a bigger pool, or one that cannot pipeline, as behind PgBouncer, may open a new connection for it).
vi.stubEnv('DATABASE_POOL_SIZE', '1');

const target = new URL(process.env.DATABASE_URL as string);
let proxy: Server;
let frozen = false;
/**
 * Drop the database's answers to statements on the connections open now, from the first result row or
 * command completion on (new connections answer normally). Messages before it pass, so a statement whose
 * parameters the driver describes first (unnamed statements, as behind PgBouncer) still gets executed.
 */
let dropAnswersOn = new Set<Socket>();
const sockets = new Set<Socket>();

/** Forwards the server's messages to the client, one whole message at a time, until answers are dropped. */
function answerRelay(server: Socket, client: Socket): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let dropping = false;
  return (chunk) => {
    if (frozen || dropping) return;
    if (!dropAnswersOn.has(server)) {
      if (pending.length > 0) {
        client.write(pending);
        pending = Buffer.alloc(0);
      }
      client.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    // A backend message: a type byte, then a length (int32) that counts itself but not the type.
    while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
      const end = 1 + pending.readInt32BE(1);
      const type = String.fromCharCode(pending[0] as number);
      if (type === 'D' || type === 'C') {
        dropping = true;
        return;
      }
      client.write(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
  };
}

beforeAll(async () => {
  proxy = createServer((client) => {
    const server = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => frozen || server.write(chunk));
    server.on('data', answerRelay(server, client));
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const proxied = new URL(target);
  proxied.port = String(typeof address === 'object' && address ? address.port : 0);
  process.env.DATABASE_URL = proxied.toString();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy.close(resolve));
});

async function modules() {
  const [{ addCredits, consumeCredits }, { chargeCredits }, db, factories] = await Promise.all([
    import('@/credits/server'),
    import('@/credits/charge'),
    import('@/db'),
    import('../factories'),
  ]);
  return { addCredits, consumeCredits, chargeCredits, ...db, ...factories };
}

describe('when the database cannot answer', () => {
  it('answers not_applied when nothing accepts the connection', async () => {
    const { consumeCredits, replacePool, poolHealth } = await modules();
    const saved = process.env.DATABASE_URL;
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const nowhere = new URL(saved as string);
    nowhere.port = String(closed);
    process.env.DATABASE_URL = nowhere.toString();
    poolHealth.lastReplacedAt = 0;
    replacePool();
    try {
      await expect(
        consumeCredits({ userId: 'nobody', amount: 1, sourceType: 'ai_call' }),
      ).rejects.toMatchObject({
        code: 'LEDGER_UNAVAILABLE',
        details: { outcome: 'not_applied', cause: 'ECONNREFUSED' },
      });
    } finally {
      process.env.DATABASE_URL = saved;
      poolHealth.lastReplacedAt = 0;
      replacePool();
    }
  });

  it('gives up on a connection that never answers at its deadline, and recovers the pool without a restart', async () => {
    const { addCredits, consumeCredits, createUser, poolHealth, callDeadlineMs } = await modules();
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' });
    expect(callDeadlineMs()).toBe(2_500);
    const replacedBefore = poolHealth.replacements;

    frozen = true;
    const startedAt = Date.now();
    const stuck = await consumeCredits({
      userId,
      amount: 1,
      sourceType: 'ai_call',
      idempotencyKey: 'frozen:1',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const waitedMs = Date.now() - startedAt;
    expect(stuck).toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      details: { outcome: 'unknown', cause: 'CLIENT_TIMEOUT' },
    });
    expect(waitedMs).toBeGreaterThanOrEqual(2_400);
    expect(poolHealth.replacements).toBe(replacedBefore + 1);

    // The network path comes back: the new pool answers, and the keyed retry has exactly one effect.
    frozen = false;
    for (const socket of sockets) socket.destroy();
    const retry = await consumeCredits({
      userId,
      amount: 1,
      sourceType: 'ai_call',
      idempotencyKey: 'frozen:1',
    });
    expect(retry).toMatchObject({ ok: true, balance: 9 });
  });

  it('refunds a charge whose answer was lost, so the user never pays for work that did not run', async () => {
    const { addCredits, chargeCredits, createUser, balanceOf, getSql, expectLedgerConsistent } =
      await modules();
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' });
    // The charge reaches the database and commits; its answer never comes back.
    dropAnswersOn = new Set(sockets);
    let ran = false;
    const failure = await chargeCredits(
      { userId, amount: 4, sourceType: 'ai_call', idempotencyKey: 'lost-answer:1' },
      async () => {
        ran = true;
        return 'result';
      },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    dropAnswersOn = new Set();
    expect(failure).toMatchObject({ code: 'LEDGER_UNAVAILABLE', details: { outcome: 'not_applied' } });
    expect(ran).toBe(false);
    expect(await balanceOf(userId)).toBe(10);
    const rows = await getSql()<{ type: string; amount: number }[]>`
      SELECT type, amount FROM credit_transaction WHERE user_id = ${userId} ORDER BY id`;
    expect(rows).toEqual([
      { type: 'GRANT', amount: 10 },
      { type: 'CONSUME', amount: -4 },
      { type: 'REFUND', amount: 4 },
    ]);
    await expectLedgerConsistent();
  });
});
