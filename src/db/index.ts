import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import { env } from '@/env';
import * as schema from './schema';

/**
 * One connection pool per process, created on first use. `npm run dev` and the tests set DATABASE_URL
 * (to an embedded PostgreSQL when none was given), so by the time anything queries, it is known.
 */
export type Database = PostgresJsDatabase<typeof schema>;

interface Connection {
  client: Sql;
  db: Database;
}

const globalForDb = globalThis as unknown as { __saasCreditsDb?: Connection };

function connect(): Connection {
  const url = process.env.DATABASE_URL ?? env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set. Start the app with `npm run dev`, which provides a database.');
  }
  const client = postgres(url, { ...connectionOptions(), max: env.DATABASE_POOL_SIZE });
  return { client, db: drizzle(client, { schema }) };
}

/** The name the app's connections carry in pg_stat_activity. */
export const APPLICATION_NAME = 'saas-credits';

/**
 * How the app connects, for its own pool and for any other pool that must behave the same (tests,
 * the torture suite): bounded waits everywhere, so that a dead server or connection is an error and
 * never a call that hangs.
 * - connect_timeout: a server that does not accept a connection within 5 s is reported as unavailable;
 * - statement_timeout: no statement runs longer than DATABASE_STATEMENT_TIMEOUT_MS;
 * - idle_in_transaction_session_timeout: a transaction left open by a crashed caller releases its row
 *   locks after a minute instead of blocking that user's ledger forever.
 * Behind a transaction-mode pooler, the session settings cannot be sent at connect time (PgBouncer
 * refuses unknown startup parameters) and prepared statements cannot be named: set the timeouts on the
 * database role instead (docs/ledger.md#timeouts).
 */
export function connectionOptions(): postgres.Options<Record<string, postgres.PostgresType>> {
  const pooled = env.DATABASE_POOL_MODE === 'transaction';
  return {
    onnotice: () => {},
    connect_timeout: 5,
    // Idle connections are closed after 20 s, so a pool does not keep connections a restarted server or
    // a pooler has dropped; reconnecting waits at most a second (the driver's default grows to 20 s).
    idle_timeout: 20,
    backoff: (retries: number) => Math.min(0.02 * 2 ** retries, 1),
    // A transaction-mode pooler has no named prepared statements, and drops answers to statements
    // pipelined behind another one: one statement at a time per connection.
    prepare: !pooled,
    ...(pooled ? { max_pipeline: 0 } : {}),
    connection: {
      application_name: APPLICATION_NAME,
      ...(pooled
        ? {}
        : {
            statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS,
            idle_in_transaction_session_timeout: 60_000,
          }),
    },
  };
}

/**
 * How many times a call outlived its deadline and the pool was replaced (the torture suite reports it;
 * a healthy deployment keeps it at zero).
 */
export const poolHealth = { replacements: 0, lastReplacedAt: 0 };

/**
 * Replaces the pool with a fresh one and closes the old one, giving its other calls a few seconds to
 * finish. A call that outlived its deadline sits on a connection that will never answer (a dead socket
 * the driver did not notice, an answer a pooler dropped), and the driver cannot discard one connection:
 * a new pool is how the app recovers without a restart. At most once a second, however many calls time
 * out together.
 */
export function replacePool(): void {
  const current = globalForDb.__saasCreditsDb;
  if (!current || Date.now() - poolHealth.lastReplacedAt < 1_000) return;
  poolHealth.replacements += 1;
  poolHealth.lastReplacedAt = Date.now();
  globalForDb.__saasCreditsDb = connect();
  current.client.end({ timeout: 5 }).catch(() => {});
}

/** A call's wait for the database, bounded: a statement's own timeout plus time for the answer to travel. */
export function callDeadlineMs(): number {
  return env.DATABASE_STATEMENT_TIMEOUT_MS + 2_000;
}

/** Thrown when a query outlives its deadline; the pool is replaced (see replacePool). */
export class QueryDeadlineError extends Error {
  readonly code = 'CLIENT_TIMEOUT';

  constructor(ms: number) {
    super(`no answer from the database within ${ms} ms`);
    this.name = 'QueryDeadlineError';
  }
}

/**
 * Waits for `query` at most callDeadlineMs(). The database's statement_timeout ends a statement that
 * runs too long; this ends the wait for one that will never answer at all.
 */
export async function withinDeadline<T>(query: Promise<T>): Promise<T> {
  const ms = callDeadlineMs();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryDeadlineError(ms)), ms);
  });
  try {
    return await Promise.race([query, deadline]);
  } catch (error) {
    if (error instanceof QueryDeadlineError) {
      // The abandoned query may still fail later; nobody is waiting for it any more.
      query.catch(() => {});
      replacePool();
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function connection(): Connection {
  // Cached on globalThis so that Next.js hot reloads in development do not open a new pool per edit.
  globalForDb.__saasCreditsDb ??= connect();
  return globalForDb.__saasCreditsDb;
}

/** The Drizzle database, for typed reads. */
export function getDb(): Database {
  return connection().db;
}

/** The underlying `postgres` client, for the ledger's SQL functions (one prepared round trip each). */
export function getSql(): Sql {
  return connection().client;
}

/** Closes the pool (tests and scripts call this before exiting). */
export async function closeDb(): Promise<void> {
  const current = globalForDb.__saasCreditsDb;
  globalForDb.__saasCreditsDb = undefined;
  await current?.client.end({ timeout: 5 });
}
