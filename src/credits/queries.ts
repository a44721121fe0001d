import 'server-only';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import {
  type CreditTransaction,
  type CreditTransactionType,
  creditTransaction,
  creditTransactionType,
  userCredit,
} from '@/db/schema';
import { CreditsError } from './errors';
import { ledgerClockInput, parseInput, userIdInput } from './inputs';

/** Read side of the ledger: balances and a keyset-paginated history. Never writes. */

export interface CreditBalance {
  /** The ledger balance: the sum of the user's log. */
  current: number;
  /** What can be spent now: the balance less lots already due that the cron has not yet expired. */
  available: number;
  lifetimeGranted: number;
  lifetimeConsumed: number;
  lifetimeExpired: number;
  lifetimeRefunded: number;
  /** The next lots to expire: the amount expiring at the earliest future `expiresAt` (UTC). */
  nextExpiration: { amount: number; expiresAt: Date } | null;
}

const balanceOptionsInput = z.strictObject({ now: ledgerClockInput }).optional().describe('options');

export async function getCreditBalance(userId: string, options: { now?: Date } = {}): Promise<CreditBalance> {
  const id = parseInput(userIdInput, userId);
  // Raw SQL fragments bind dates as text (Drizzle owns the driver's date handling), hence the ISO string.
  const now = (parseInput(balanceOptionsInput, options)?.now ?? new Date()).toISOString();
  const db = getDb();
  const [balance] = await db.select().from(userCredit).where(eq(userCredit.userId, id));
  // One pass over the user's live lots: what is already due, and what expires next (lots that expire at
  // the same instant add up). Compared in SQL, so microsecond timestamps match exactly.
  const [lots] = await db.execute<{ due: string; next_at: string | null; next_amount: string }>(sql`
    SELECT coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= ${now}::timestamptz), 0) AS due,
           next.at AS next_at,
           coalesce(sum(l.remaining) FILTER (WHERE l.expires_at = next.at), 0) AS next_amount
    FROM (SELECT min(expires_at) AS at FROM credit_lot
          WHERE user_id = ${id} AND has_remaining AND expires_at > ${now}::timestamptz) next
    LEFT JOIN credit_lot l ON l.user_id = ${id} AND l.has_remaining
    GROUP BY next.at`);
  const nextExpiration =
    lots?.next_at != null ? { amount: Number(lots.next_amount), expiresAt: new Date(lots.next_at) } : null;
  const current = balance?.currentCredits ?? 0;
  return {
    current,
    available: current - Number(lots?.due ?? 0),
    lifetimeGranted: balance?.lifetimeGranted ?? 0,
    lifetimeConsumed: balance?.lifetimeConsumed ?? 0,
    lifetimeExpired: balance?.lifetimeExpired ?? 0,
    lifetimeRefunded: balance?.lifetimeRefunded ?? 0,
    nextExpiration,
  };
}

export interface CreditHistoryPage {
  items: CreditTransaction[];
  /** Cursor for the next (older) page, or null on the last page. */
  nextCursor: string | null;
  /** Cursor for the previous (newer) page, or null on the first page. */
  prevCursor: string | null;
}

const historyInput = z.strictObject({
  userId: userIdInput,
  limit: z.number().int().min(1).max(100),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,100}$/, 'must be a cursor from an earlier page')
    .optional(),
  type: z.enum(creditTransactionType.enumValues).optional(),
});

interface Cursor {
  direction: 'older' | 'newer';
  id: number;
}

/** Cursors are opaque: `o.<id>` pages to older rows, `n.<id>` to newer, base64url-encoded. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.direction === 'older' ? 'o' : 'n'}.${cursor.id}`).toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const match = /^([on])\.([1-9][0-9]{0,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  const id = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(id))
    throw new CreditsError('INVALID_INPUT', 'cursor: malformed history cursor');
  return { direction: match[1] === 'o' ? 'older' : 'newer', id };
}

/**
 * One page of a user's history, newest first. Keyset pagination on the transaction id, which grows in
 * commit order per user (writes for one user serialise on its balance row), so pages are stable while
 * new rows arrive. Cursors only ever select rows of `userId`.
 */
export async function getCreditHistory(input: {
  userId: string;
  limit: number;
  cursor?: string;
  type?: CreditTransactionType;
}): Promise<CreditHistoryPage> {
  const args = parseInput(historyInput, input);
  const cursor = args.cursor ? decodeCursor(args.cursor) : null;
  const filters = [eq(creditTransaction.userId, args.userId)];
  if (args.type) filters.push(eq(creditTransaction.type, args.type));
  if (cursor?.direction === 'older') filters.push(lt(creditTransaction.id, cursor.id));
  if (cursor?.direction === 'newer') filters.push(gt(creditTransaction.id, cursor.id));
  const newer = cursor?.direction === 'newer';
  const rows = await getDb()
    .select()
    .from(creditTransaction)
    .where(and(...filters))
    .orderBy(newer ? asc(creditTransaction.id) : desc(creditTransaction.id))
    .limit(args.limit + 1);
  const hasMore = rows.length > args.limit;
  const page = rows.slice(0, args.limit);
  if (newer) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const hasOlder = newer ? cursor !== null : hasMore;
  const hasNewer = newer ? hasMore : cursor !== null;
  return {
    items: page,
    nextCursor: hasOlder && last ? encodeCursor({ direction: 'older', id: last.id }) : null,
    prevCursor: hasNewer && first ? encodeCursor({ direction: 'newer', id: first.id }) : null,
  };
}
