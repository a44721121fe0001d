import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionOptions, getSql } from '@/db';

/**
 * The `postgres` driver's defects on dying connections, each reproduced deterministically on one
 * connection, with the fixes that scripts/patch-postgres-driver.mjs applies at install time. Without
 * them each of these tests fails (a sparse result, a stale error, an uncaught TypeError that vitest
 * reports, a transaction body committed in autocommit, a call that never answers).
 */
const APP = 'driver-fault-case';
const pools: Sql[] = [];

function pool(): Sql {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set by the test setup');
  const options = connectionOptions();
  const sql = postgres(url, {
    ...options,
    max: 1,
    connection: { ...options.connection, application_name: APP },
  });
  pools.push(sql);
  return sql;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end({ timeout: 1 })));
});

async function killCaseConnections(): Promise<void> {
  await getSql()`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = ${APP} AND datname = current_database()`;
}

function within<T>(promise: Promise<T>, ms = 8_000): Promise<T | 'NO ANSWER'> {
  return Promise.race([
    promise,
    new Promise<'NO ANSWER'>((resolve) => setTimeout(() => resolve('NO ANSWER'), ms)),
  ]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise's outcome, with a handler attached at once, so a rejection that comes early is never unhandled. */
function settle<T>(promise: Promise<T>): Promise<{ value: T } | { error: { code?: string } }> {
  return promise.then(
    (value) => ({ value }),
    (error: { code?: string }) => ({ error }),
  );
}

/**
 * Waits until the case's connection is in `state` on a statement that contains `text`, so that the kill
 * lands where the test means it to, however slow the machine.
 */
async function whenSession(state: 'active' | 'idle in transaction', text: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const [row] = await getSql()`SELECT count(*)::int AS sessions FROM pg_stat_activity
      WHERE application_name = ${APP} AND datname = current_database()
        AND state = ${state} AND position(${text} in query) > 0`;
    if (row?.sessions) return;
    await sleep(25);
  }
  throw new Error(`the case's connection was never ${state} on ${text}`);
}

async function until(condition: () => boolean, ms = 8_000): Promise<void> {
  for (let waited = 0; !condition() && waited < ms; waited += 25) await sleep(25);
}

describe('the installed postgres driver', () => {
  it('carries the fixes in every build the app may load', () => {
    const root = path.resolve(import.meta.dirname, '../../node_modules/postgres');
    for (const file of ['src/connection.js', 'src/index.js', 'cjs/src/connection.js', 'cjs/src/index.js']) {
      expect(
        readFileSync(path.join(root, file), 'utf8').startsWith('/* saas-credits: driver fixes applied */'),
      ).toBe(true);
    }
  });

  it('gives the query after one that failed mid-result its own row at index 0', async () => {
    const sql = pool();
    const failing = sql`SELECT 1 / (3 - g) AS x FROM generate_series(1, 5) g`; // two rows, then an error
    const next = sql`SELECT 42 AS answer`;
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    const rows = await next;
    expect(rows.length).toBe(1);
    expect(rows[0]).toEqual({ answer: 42 });
  });

  it('does not hand a killed session\u2019s error to the first query of the next one', async () => {
    const sql = pool();
    await sql`SELECT 1`;
    const slow = settle(sql`SELECT pg_sleep(5)`);
    await whenSession('active', 'pg_sleep(5)');
    await killCaseConnections();
    // How the loss reaches the driver depends on timing: the server's FATAL, a closed socket, or a reset.
    expect(await slow).toMatchObject({
      error: { code: expect.stringMatching(/^(CONNECTION_CLOSED|57P01|ECONNRESET)$/) },
    });
    expect(await within(sql`SELECT 7 AS n`.then((rows) => rows[0]))).toEqual({ n: 7 });
  });

  it('rejects a transaction killed mid-statement, throws nothing uncaught, and keeps the connection usable', async () => {
    const sql = pool();
    const transaction = settle(
      sql.begin(async (tx) => {
        await tx`SELECT 1`;
        await tx`SELECT pg_sleep(5)`;
      }),
    );
    await whenSession('active', 'pg_sleep(5)');
    await killCaseConnections();
    expect(await transaction).toHaveProperty('error');
    await sleep(100);
    for (let call = 0; call < 3; call += 1) {
      expect(
        await within(
          sql`SELECT ${call}::int AS call`.then((rows) => rows[0]),
          3_000,
        ),
      ).toEqual({ call });
    }
  });

  it('never runs the rest of a killed transaction outside it, on a reconnected session', async () => {
    const sql = pool();
    const table = `driver_marks_${process.pid}`;
    await getSql().unsafe(`CREATE TABLE IF NOT EXISTS ${table} (n int)`);
    let killed = false;
    let secondInsert: unknown = 'not attempted';
    const transaction = settle(
      sql.begin(async (tx) => {
        await tx.unsafe(`INSERT INTO ${table} VALUES (1)`);
        await until(() => killed); // the connection is killed here, between two statements
        await sleep(300); // time for the driver to see the connection close and reconnect
        secondInsert = await tx.unsafe(`INSERT INTO ${table} VALUES (2)`).then(
          () => 'committed',
          (error: { code?: string }) => error.code,
        );
        throw new Error('the caller rolls back');
      }),
    );
    await whenSession('idle in transaction', 'VALUES (1)');
    // queued behind the transaction on the only connection
    const waiting = settle(sql`SELECT 1 AS waited`.then((rows) => rows[0]));
    await sleep(50);
    await killCaseConnections();
    killed = true;
    expect(await transaction).toHaveProperty('error');
    expect(await within(waiting)).toEqual({ value: { waited: 1 } });
    await until(() => secondInsert !== 'not attempted');
    expect(secondInsert).not.toBe('not attempted');
    expect(secondInsert).not.toBe('committed');
    expect(await getSql().unsafe(`SELECT count(*)::int AS rows FROM ${table}`)).toEqual([{ rows: 0 }]);
    await getSql().unsafe(`DROP TABLE ${table}`);
  });
});
