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
  const client = postgres(url, {
    max: env.DATABASE_POOL_SIZE,
    onnotice: () => {},
    connection: { application_name: 'saas-credits' },
  });
  return { client, db: drizzle(client, { schema }) };
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
