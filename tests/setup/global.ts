import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openScratchServer, withDatabase } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';
import { type Bouncer, startPgBouncer } from '../support/pgbouncer';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    /** Where the app connects: the server itself, or PgBouncer in front of it (TEST_THROUGH_PGBOUNCER=1). */
    appServerUrl: string;
  }
}

/** Starts (or reaches) the server and migrates a template database that each test file copies. */
export default async function setup(project: TestProject) {
  const server = await openScratchServer({ name: 'test', fast: true });
  const adminUrl = server.url;
  const template = `saas_credits_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  // Databases are created on the server itself; the app (and every pool the tests open) can reach them
  // through a real transaction-mode pooler instead, as a deployment on a pooled URL does.
  const bouncer: Bouncer | undefined =
    process.env.TEST_THROUGH_PGBOUNCER === '1' ? await startPgBouncer(adminUrl) : undefined;
  project.provide('appServerUrl', bouncer?.url ?? adminUrl);

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      SELECT datname FROM pg_database WHERE datname LIKE ${`saas_credits_%_${process.pid}%`}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.end();
    await bouncer?.stop();
    await server.stop();
  };
}
