import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Invariant 4: only src/credits/server.ts writes the ledger tables, whether through Drizzle, raw SQL or a
 * call to one of the ledger's SQL functions. Everything else must call the primitives.
 */
const LEDGER_TABLES = ['userCredit', 'creditTransaction', 'creditLot', 'creditAllocation'];
const LEDGER_SQL_TABLES = ['user_credit', 'credit_transaction', 'credit_lot', 'credit_allocation'];
const LEDGER_FUNCTIONS = [
  'credits_grant',
  'credits_consume',
  'credits_refund',
  'credits_expire_due',
  'credits_expire_user',
  'credits_take_from_lots',
];
const ALLOWED_WRITER = 'src/credits/server.ts';

const patterns = [
  new RegExp(`\\.(update|insert|delete)\\(\\s*(${LEDGER_TABLES.join('|')})\\b`),
  new RegExp(
    `\\b(UPDATE|INSERT\\s+INTO|DELETE\\s+FROM|TRUNCATE)\\s+"?(${LEDGER_SQL_TABLES.join('|')})\\b`,
    'i',
  ),
  new RegExp(`\\b(${LEDGER_FUNCTIONS.join('|')})\\s*\\(`),
];

/** Returns `file:line: text` for every line that writes the ledger. */
function findLedgerWrites(file: string, source: string): string[] {
  return source
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => patterns.some((pattern) => pattern.test(line)))
    .map(({ line, index }) => `${file}:${index + 1}: ${line.trim()}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('ledger write boundary', () => {
  it('finds no ledger writes outside src/credits/server.ts', () => {
    const root = process.cwd();
    const dirs = ['src', 'scripts'].map((dir) => path.join(root, dir));
    const offenders = dirs
      .flatMap(sourceFiles)
      .map((file) => path.relative(root, file))
      .filter((file) => file !== ALLOWED_WRITER)
      .flatMap((file) => findLedgerWrites(file, readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('does find writes in server.ts, so the scan is looking at the right things', () => {
    const server = readFileSync(path.join(process.cwd(), ALLOWED_WRITER), 'utf8');
    const found = findLedgerWrites(ALLOWED_WRITER, server).join('\n');
    for (const fn of ['credits_grant', 'credits_consume', 'credits_refund', 'credits_expire_due']) {
      expect(found).toContain(fn);
    }
  });

  it.each([
    ['a Drizzle insert', 'await db.insert(creditTransaction).values({ amount: 5 })'],
    ['a Drizzle update', 'await tx.update(userCredit).set({ currentCredits: 0 })'],
    ['a Drizzle delete', 'await db.delete( creditLot ).where(x)'],
    ['raw SQL update', 'await sql`UPDATE user_credit SET current_credits = 0`'],
    ['raw SQL insert', 'await sql`insert into "credit_transaction" (amount) values (1)`'],
    ['raw SQL delete', 'await sql`DELETE FROM credit_allocation`'],
    ['a call to a ledger function', 'await sql`SELECT * FROM credits_consume($1, 1)`'],
  ])('flags %s', (_name, line) => {
    expect(findLedgerWrites('src/example.ts', line)).toHaveLength(1);
  });

  it('does not flag reads', () => {
    const reads = [
      'await db.select().from(creditTransaction).where(eq(creditTransaction.userId, id))',
      'await sql`SELECT current_credits FROM user_credit WHERE user_id = $1`',
    ];
    expect(reads.flatMap((line) => findLedgerWrites('src/example.ts', line))).toEqual([]);
  });
});
