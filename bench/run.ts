/**
 * `npm run bench`: what does the ledger's safety cost per spend?
 *
 * In one run, on one database, it measures
 *   - raw:          the lower bound: one guarded `UPDATE user_credit ... ; INSERT credit_transaction`
 *                   statement through the same driver (no lots, no allocations, no validation);
 *   - consume:      `consumeCredits` (zod validation, inline-expiry check, guarded update, log row, lot burn
 *                   and allocation, one round trip to `credits_consume`);
 *   - consume+key:  the same with a fresh idempotency key per call (two extra key lookups);
 * at 1, 8 and 16 concurrent clients, across 10,000 users and on one hot user, and prints ops/s, p50 and
 * p99 latency and the ratio to the raw bound. Figures go to bench/results/latest.json.
 *
 * The bar: `consume` across users at 16 clients reaches at least 0.6x the raw bound (exit 1 otherwise).
 *
 * Without DATABASE_URL it starts a throwaway embedded PostgreSQL with fsync on (durable commits, as in
 * production); with DATABASE_URL it creates and later drops a database of its own on that server.
 * Each variant gets its own users (same count, same starting balance), so that the raw statement, which
 * bypasses the lots, never disturbs what `consumeCredits` sees. Variants alternate within each round and
 * the best of the rounds is kept, which damps the noise of a shared machine without favouring any side.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { openScratchServer, withDatabase } from '../src/db/embedded';
import { runMigrations } from '../src/db/migrate';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLIENTS = [1, 8, 16];
const SCENARIOS = ['users', 'hot'] as const;
const VARIANTS = ['raw', 'consume', 'consume+key'] as const;
const BAR = 0.6;
const STARTING_BALANCE = 100_000_000;

type Scenario = (typeof SCENARIOS)[number];
type Variant = (typeof VARIANTS)[number];
type Operation = (sql: Sql, userId: string, sequence: number) => Promise<void>;

interface Measurement {
  scenario: Scenario;
  clients: number;
  variant: Variant;
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ratioToRaw?: number;
}

interface Target {
  url: string;
  kind: 'embedded PostgreSQL (fsync on)' | 'DATABASE_URL';
  cleanup: () => Promise<void>;
}

async function main(): Promise<void> {
  const target = await openDatabase();
  process.on('SIGINT', () => {
    void target.cleanup().finally(() => process.exit(130));
  });
  try {
    await runMigrations(target.url);
    process.env.DATABASE_URL = target.url;
    const result = await benchmark(target.url, target.kind);
    process.exitCode = result ? 0 : 1;
  } finally {
    await target.cleanup();
  }
}

/** A database of the bench's own: embedded (fsync on) by default, or a fresh one on DATABASE_URL. */
async function openDatabase(): Promise<Target> {
  const name = `saas_credits_bench_${process.pid}`;
  // fsync stays on: the bench measures durable commits, as in production.
  const server = await openScratchServer({ name: 'bench', fast: false });
  const serverUrl = server.url;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  let cleaned = false;
  return {
    url: withDatabase(serverUrl, name),
    kind: server.embedded ? 'embedded PostgreSQL (fsync on)' : 'DATABASE_URL',
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      const { closeDb } = await import('../src/db');
      await closeDb();
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      await server.stop();
    },
  };
}

async function benchmark(url: string, kind: Target['kind']): Promise<boolean> {
  // Imported only now, so the module's pool connects to the bench database.
  const { addCredits, consumeCredits } = await import('../src/credits/server');
  const admin = postgres(url, { max: 16, onnotice: () => {} });
  const [info] = await admin<{ version: string; fsync: string; synchronous_commit: string }[]>`
    SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
           current_setting('synchronous_commit') AS synchronous_commit`;
  console.log(
    `${kind}: PostgreSQL ${info?.version}, fsync=${info?.fsync}, synchronous_commit=${info?.synchronous_commit}; ` +
      `Node ${process.version}, ${cpus().length} CPUs; ${USERS} users per variant, ${SECONDS}s per ` +
      `measurement, best of ${ROUNDS} rounds\n`,
  );

  const users = new Map<Variant, string[]>();
  const hot = new Map<Variant, string>();
  process.stdout.write('Seeding');
  for (const variant of VARIANTS) {
    const ids = Array.from({ length: USERS }, (_, index) => `bench_${variant}_${index}`);
    const hotId = `bench_${variant}_hot`;
    await seedUsers(admin, [...ids, hotId], (userId) =>
      addCredits({ userId, amount: STARTING_BALANCE, sourceType: 'manual' }, { sql: admin }).then(() => {}),
    );
    users.set(variant, ids);
    hot.set(variant, hotId);
    process.stdout.write('.');
  }
  await admin`VACUUM ANALYZE`;
  console.log(' done\n');

  const operations: Record<Variant, Operation> = {
    raw: async (sql, userId) => {
      const rows = await sql`
        WITH spent AS (
          UPDATE user_credit
          SET current_credits = current_credits - 1, lifetime_consumed = lifetime_consumed + 1, updated_at = now()
          WHERE user_id = ${userId} AND current_credits >= 1
          RETURNING current_credits
        )
        INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type)
        SELECT ${userId}, 'CONSUME', -1, current_credits, 'ai_call' FROM spent
        RETURNING id`;
      if (rows.length !== 1) throw new Error(`raw spend for ${userId} wrote ${rows.length} rows`);
    },
    consume: async (sql, userId) => {
      const result = await consumeCredits({ userId, amount: 1, sourceType: 'ai_call' }, { sql });
      if (!result.ok) throw new Error(`consumeCredits for ${userId}: ${result.reason}`);
    },
    'consume+key': async (sql, userId, sequence) => {
      const result = await consumeCredits(
        { userId, amount: 1, sourceType: 'ai_call', idempotencyKey: `bench:${process.pid}:${sequence}` },
        { sql },
      );
      if (!result.ok || result.replayed) throw new Error(`keyed consumeCredits for ${userId} did not spend`);
    },
  };

  const best = new Map<string, Measurement>();
  let sequence = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const scenario of SCENARIOS) {
      for (const clients of CLIENTS) {
        // Alternate the order per round so no variant always runs first (on a cold cache) or last.
        const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
        for (const variant of order) {
          const pick =
            scenario === 'hot'
              ? () => hot.get(variant) as string
              : (() => {
                  const ids = users.get(variant) as string[];
                  return () => ids[Math.floor(Math.random() * ids.length)] as string;
                })();
          const run = await measure(url, clients, SECONDS * 1000, pick, (sql, userId) =>
            operations[variant](sql, userId, sequence++),
          );
          const key = `${scenario}/${clients}/${variant}`;
          const measurement: Measurement = { scenario, clients, variant, ...run };
          const previous = best.get(key);
          if (!previous || measurement.opsPerSecond > previous.opsPerSecond) best.set(key, measurement);
        }
      }
    }
    console.log(`round ${round}/${ROUNDS} done`);
  }

  const measurements = [...best.values()];
  for (const measurement of measurements) {
    const raw = best.get(`${measurement.scenario}/${measurement.clients}/raw`);
    measurement.ratioToRaw = raw ? measurement.opsPerSecond / raw.opsPerSecond : undefined;
  }
  printTable(measurements);

  const verdict = best.get('users/16/consume');
  const keyed = best.get('users/16/consume+key');
  const ratio = verdict?.ratioToRaw ?? 0;
  const passed = ratio >= BAR;
  console.log(
    `\n${passed ? 'PASS' : 'FAIL'}: consumeCredits across ${USERS} users at 16 clients runs at ` +
      `${ratio.toFixed(2)}x the raw bound (bar: ${BAR}x); with an idempotency key ` +
      `${(keyed?.ratioToRaw ?? 0).toFixed(2)}x.`,
  );

  const file = path.join(import.meta.dirname, 'results', 'latest.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        environment: {
          node: process.version,
          cpus: cpus().length,
          postgres: info?.version,
          fsync: info?.fsync,
          synchronousCommit: info?.synchronous_commit,
          database: kind,
        },
        settings: {
          usersPerVariant: USERS,
          secondsPerMeasurement: SECONDS,
          rounds: ROUNDS,
          clients: CLIENTS,
        },
        measurements,
        verdict: { metric: 'users/16/consume ratioToRaw', bar: BAR, ratio, passed },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Figures written to ${path.relative(process.cwd(), file)}`);
  await admin.end();
  return passed;
}

async function seedUsers(sql: Sql, ids: string[], grant: (userId: string) => Promise<void>): Promise<void> {
  for (let start = 0; start < ids.length; start += 1_000) {
    const chunk = ids.slice(start, start + 1_000);
    await sql`INSERT INTO "user" ${sql(chunk.map((id) => ({ id, name: 'Bench', email: `${id}@bench.test` })))}`;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        await grant(id);
      }
    }),
  );
}

/** `clients` loops, each awaiting one operation at a time on a pool of exactly `clients` connections. */
async function measure(
  url: string,
  clients: number,
  durationMs: number,
  pickUser: () => string,
  operation: (sql: Sql, userId: string) => Promise<void>,
): Promise<Omit<Measurement, 'scenario' | 'clients' | 'variant'>> {
  const sql = postgres(url, { max: clients, onnotice: () => {} });
  try {
    // Open every connection and prepare the statement before the clock starts.
    await Promise.all(Array.from({ length: clients }, () => operation(sql, pickUser())));
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const before = performance.now();
          await operation(sql, pickUser());
          latencies.push(performance.now() - before);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      ops: latencies.length,
      opsPerSecond: latencies.length / elapsed,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
    };
  } finally {
    await sql.end();
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

function printTable(measurements: Measurement[]): void {
  const header = ['scenario', 'clients', 'variant', 'ops/s', 'p50 ms', 'p99 ms', 'x raw'];
  const rows = measurements.map((m) => [
    m.scenario === 'users' ? `${USERS} users` : 'hot user',
    String(m.clients),
    m.variant,
    m.opsPerSecond.toFixed(0),
    m.p50Ms.toFixed(2),
    m.p99Ms.toFixed(2),
    m.ratioToRaw === undefined ? '' : m.ratioToRaw.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  console.log(`\n${line(header)}`);
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
