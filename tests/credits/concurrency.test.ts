import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredits, consumeCredits, expireDueCredits, refundCredits } from '@/credits/server';
import { getSql } from '@/db';
import {
  balanceOf,
  concurrentPool,
  createPayment,
  createUser,
  createUsers,
  DAY_MS,
  daysAfter,
  expectLedgerConsistent,
  ledgerRowCounts,
} from '../factories';

/**
 * Races on real connections. Every call below is in flight at once over a pool of its own, so the
 * database, not the test, decides the interleaving. The pool is sized to fit PostgreSQL's default
 * max_connections (100) while other test files run beside this one; calls beyond the pool's size queue
 * on the client, which still leaves 40 transactions contending for the same rows at any moment.
 */
const CONNECTIONS = 40;
const NOW = new Date('2026-11-01T10:00:00Z');

let pool: Sql;

beforeAll(() => {
  pool = concurrentPool(CONNECTIONS);
});

afterAll(async () => {
  await pool.end();
});

function times<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => make(index)));
}

describe('concurrent consumes', () => {
  it('lets exactly 100 of 200 one-credit consumes through against a balance of 100', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 100, sourceType: 'manual' });

    const results = await times(200, () =>
      consumeCredits({ userId, amount: 1, sourceType: 'ai_call' }, { sql: pool }),
    );

    const succeeded = results.filter((result) => result.ok);
    expect(succeeded).toHaveLength(100);
    expect(results.filter((result) => !result.ok && result.reason === 'INSUFFICIENT')).toHaveLength(100);
    // Every success saw a distinct balance: 99 down to 0, each exactly once.
    const balances = succeeded.map((result) => (result.ok ? result.balance : -1)).sort((a, b) => a - b);
    expect(balances).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(await balanceOf(userId)).toBe(0);
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 101, balances: 0 });
    await expectLedgerConsistent();
  });

  it('spreads consumes over many users without losing or double-spending a credit', async () => {
    const users = await createUsers(20);
    await times(users.length, (index) =>
      addCredits({ userId: users[index] as string, amount: 10, sourceType: 'manual' }, { sql: pool }),
    );

    // 15 attempts per user against 10 credits each, all interleaved.
    const results = await times(300, (index) =>
      consumeCredits(
        { userId: users[index % users.length] as string, amount: 1, sourceType: 'ai_call' },
        { sql: pool },
      ),
    );

    expect(results.filter((result) => result.ok)).toHaveLength(200);
    for (const userId of users) expect(await balanceOf(userId)).toBe(0);
    await expectLedgerConsistent();
  });

  it('never spends a lot that expires while consumes race the expiry job', async () => {
    const userId = await createUser();
    const expiresAt = new Date(NOW.getTime() + 60_000);
    await addCredits(
      { userId, amount: 50, sourceType: 'register_gift', expirationDate: expiresAt },
      { now: NOW },
    );
    await addCredits({ userId, amount: 30, sourceType: 'manual' }, { now: NOW });
    const after = new Date(expiresAt.getTime() + 1);

    // At `after` the gift is due: consumes must expire it inline or find it expired by the job, and
    // only the 30 never-expiring credits can be spent, whoever wins each race.
    const [consumes, runs] = await Promise.all([
      times(60, () =>
        consumeCredits({ userId, amount: 1, sourceType: 'ai_call' }, { sql: pool, now: after }),
      ),
      times(3, () => expireDueCredits({ now: after, batchSize: 10, timeBudgetMs: 10_000 })),
    ]);

    expect(consumes.filter((result) => result.ok)).toHaveLength(30);
    expect(await balanceOf(userId)).toBe(0);
    const expired = await getSql()<{ amount: number; source_type: string }[]>`
      SELECT amount, source_type FROM credit_transaction WHERE user_id = ${userId} AND type = 'EXPIRE'`;
    // The gift expired exactly once, by whichever path got to it first.
    expect(expired).toHaveLength(1);
    expect(expired[0]?.amount).toBe(-50);
    expect(['expiration_inline', 'expiration_cron']).toContain(expired[0]?.source_type);
    expect(runs.reduce((sum, run) => sum + run.credits, 0)).toBe(
      expired[0]?.source_type === 'expiration_cron' ? 50 : 0,
    );
    await expectLedgerConsistent();
  });
});

describe('one idempotency key, 50 concurrent calls', () => {
  it('consumes once and answers every call with the same transaction', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 100, sourceType: 'manual' });

    const results = await times(50, () =>
      consumeCredits({ userId, amount: 7, sourceType: 'ai_call', idempotencyKey: 'ai:req_1' }, { sql: pool }),
    );

    const ids = new Set(results.map((result) => (result.ok ? result.transactionId : null)));
    expect(ids.size).toBe(1);
    expect(ids.has(null)).toBe(false);
    expect(results.filter((result) => result.ok && !result.replayed)).toHaveLength(1);
    expect(results.every((result) => result.ok && result.balance === 93)).toBe(true);
    expect(await balanceOf(userId)).toBe(93);
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 2 });
    await expectLedgerConsistent();
  });

  it('grants once, and a conflicting payload under the same key changes nothing', async () => {
    const userId = await createUser();
    const results = await times(50, (index) =>
      addCredits(
        // Every tenth call sends a different amount under the same key: those must be conflicts.
        { userId, amount: index % 10 === 9 ? 11 : 10, sourceType: 'manual', idempotencyKey: 'grant:once' },
        { sql: pool },
      ),
    );

    const granted = results.filter((result) => result.ok);
    const conflicts = results.filter((result) => !result.ok && result.reason === 'CONFLICT');
    expect(granted.length + conflicts.length).toBe(50);
    expect(granted.filter((result) => result.ok && !result.replayed)).toHaveLength(1);
    // Whichever payload won the race is the one that stands; the others under its key conflict.
    const balance = await balanceOf(userId);
    expect([10, 11]).toContain(balance);
    expect(conflicts).toHaveLength(balance === 10 ? 5 : 45);
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 1, credit_lot: 1 });
    await expectLedgerConsistent();
  });

  it('grants a payment once when 50 deliveries race under different keys', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({ userId, credits: 100 });
    const results = await times(50, (index) =>
      addCredits(
        { userId, amount: 100, sourceType: 'credit_pack', paymentId, idempotencyKey: `delivery:${index}` },
        { sql: pool },
      ),
    );

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.reason === 'DUPLICATE')).toHaveLength(49);
    expect(await balanceOf(userId)).toBe(100);
    await expectLedgerConsistent();
  });
});

describe('concurrent refunds of one consume', () => {
  it('never give back more than the consume took', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 100, sourceType: 'manual' });
    const consume = await consumeCredits({ userId, amount: 40, sourceType: 'ai_call' });
    if (!consume.ok) throw new Error('setup consume failed');

    // 30 partial refunds of 3 credits each (90 asked for, 40 refundable) and 10 "refund the rest".
    const results = await times(40, (index) =>
      refundCredits(
        {
          userId,
          transactionId: consume.transactionId,
          amount: index < 30 ? 3 : undefined,
          sourceType: 'failed_call',
        },
        { sql: pool },
      ),
    );

    const refunded = results.reduce((sum, result) => sum + (result.ok ? result.amount : 0), 0);
    expect(refunded).toBe(40);
    expect(results.some((result) => !result.ok && result.reason === 'EXCEEDS_REFUNDABLE')).toBe(true);
    expect(await balanceOf(userId)).toBe(100);
    await expectLedgerConsistent();
  });

  it('refunds once per key when the same refund is retried concurrently', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 20, sourceType: 'manual' });
    const consume = await consumeCredits({ userId, amount: 20, sourceType: 'ai_call' });
    if (!consume.ok) throw new Error('setup consume failed');

    const results = await times(50, () =>
      refundCredits(
        {
          userId,
          transactionId: consume.transactionId,
          amount: 5,
          sourceType: 'failed_call',
          idempotencyKey: 'refund:1',
        },
        { sql: pool },
      ),
    );

    expect(results.every((result) => result.ok && result.amount === 5)).toBe(true);
    expect(results.filter((result) => result.ok && !result.replayed)).toHaveLength(1);
    expect(await balanceOf(userId)).toBe(5);
    await expectLedgerConsistent();
  });
});

describe('concurrent expiry runners', () => {
  it('expire each due lot exactly once, leaving later lots alone', async () => {
    const users = await createUsers(120);
    const grantedAt = NOW;
    await times(users.length, (index) =>
      addCredits(
        {
          userId: users[index] as string,
          amount: 10 + (index % 5),
          sourceType: 'register_gift',
          expirationDate: new Date(grantedAt.getTime() + DAY_MS),
        },
        { sql: pool, now: grantedAt },
      ),
    );
    // A second, later lot per user must survive the run.
    await times(users.length, (index) =>
      addCredits(
        {
          userId: users[index] as string,
          amount: 5,
          sourceType: 'manual',
          expirationDate: daysAfter(grantedAt, 10),
        },
        { sql: pool, now: grantedAt },
      ),
    );
    const at = daysAfter(grantedAt, 2);

    const runs = await times(4, () => expireDueCredits({ now: at, batchSize: 7, timeBudgetMs: 30_000 }));
    // A runner that found every remaining user locked by another stops early with more: true; a final
    // sequential run then finds nothing left.
    const last = await expireDueCredits({ now: at, batchSize: 7, timeBudgetMs: 30_000 });

    const totalExpired = runs.reduce((sum, run) => sum + run.expired, 0) + last.expired;
    expect(totalExpired).toBe(users.length);
    expect(last.more).toBe(false);
    const [counts] = await getSql()<{ rows: string; distinct_lots: string; credits: string }[]>`
      SELECT count(*) AS rows, count(DISTINCT a.lot_id) AS distinct_lots, -sum(t.amount) AS credits
      FROM credit_transaction t JOIN credit_allocation a ON a.transaction_id = t.id
      WHERE t.type = 'EXPIRE' AND t.user_id IN ${getSql()(users)}`;
    expect(Number(counts?.rows)).toBe(users.length);
    expect(Number(counts?.distinct_lots)).toBe(users.length);
    const expectedCredits = users.reduce((sum, _, index) => sum + 10 + (index % 5), 0);
    expect(Number(counts?.credits)).toBe(expectedCredits);
    for (const userId of users.slice(0, 5)) expect(await balanceOf(userId)).toBe(5);

    // Idempotent: running again at the same instant expires nothing more.
    expect(await expireDueCredits({ now: at, batchSize: 7, timeBudgetMs: 30_000 })).toMatchObject({
      expired: 0,
      more: false,
    });
    await expectLedgerConsistent();
  });
});
