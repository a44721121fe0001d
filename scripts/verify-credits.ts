import postgres from 'postgres';
import { formatViolations, verifyLedger } from '../src/credits/verify';

/**
 * `npm run credits:verify`: checks every ledger invariant for every user in DATABASE_URL. Exits 1 and
 * names each user and invariant on any violation, so it can gate a deploy or page someone from a cron.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set. Set it to the database to verify.');
  process.exit(2);
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  const violations = await verifyLedger(sql);
  const [{ users } = { users: '0' }] = await sql<
    { users: string }[]
  >`SELECT count(*) AS users FROM user_credit`;
  if (violations.length > 0) {
    console.error(`Ledger check FAILED: ${violations.length} violation(s) across ${users} users.`);
    console.error(formatViolations(violations));
    process.exitCode = 1;
  } else {
    console.log(`Ledger check passed: every invariant holds for all ${users} users.`);
  }
} finally {
  await sql.end();
}
