import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { withDatabase } from '../../src/db/embedded';

// Runs before each test file: copy the migrated template into a database of the file's own, and point
// DATABASE_URL at it before any application module connects.
const adminUrl = inject('adminDatabaseUrl');
const template = inject('templateDatabase');
const database = `${template.replace('template', 'file')}_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE "${database}" TEMPLATE "${template}"`);
process.env.DATABASE_URL = withDatabase(inject('appServerUrl'), database);
if (inject('appServerUrl') !== adminUrl) process.env.DATABASE_POOL_MODE = 'transaction';

afterAll(async () => {
  const { closeDb } = await import('@/db');
  await closeDb();
  await admin.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
});
