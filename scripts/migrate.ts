import { runMigrations } from '../src/db/migrate';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (run it on every deploy). */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set. Set it to the database to migrate.');
  process.exit(1);
}
await runMigrations(url);
console.log('Migrations applied.');
