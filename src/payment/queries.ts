import 'server-only';
import type { PlanId } from '@site-config';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '@/credits/inputs';
import { getDb } from '@/db';
import { type Payment, payment } from '@/db/schema';

/** Read side of payments for the billing page and its API: a user's plan and payment history. Never writes. */

export type CurrentPlan =
  | { id: 'free' }
  | { id: 'lifetime'; since: Date }
  | { id: Exclude<PlanId, 'lifetime'>; periodEnd: Date };

/** Statuses under which a purchase still counts as bought (a partial refund keeps the plan). */
const ACTIVE_STATUSES: Payment['status'][] = ['paid', 'partially_refunded'];

/**
 * The user's plan, from their payments: a lifetime purchase, else the latest paid subscription period
 * that has not ended (its `periodEnd` is stored in the payment's metadata by the webhook), else free.
 */
export async function getCurrentPlan(userId: string, now: Date = new Date()): Promise<CurrentPlan> {
  const id = parseInput(userIdInput, userId);
  const rows = await getDb()
    .select()
    .from(payment)
    .where(
      and(
        eq(payment.userId, id),
        inArray(payment.type, ['one_time', 'subscription']),
        inArray(payment.status, ACTIVE_STATUSES),
      ),
    )
    .orderBy(desc(payment.id))
    .limit(50);
  const lifetime = rows.find((row) => row.scene === 'lifetime');
  if (lifetime) return { id: 'lifetime', since: lifetime.createdAt };
  for (const row of rows) {
    const periodEnd = periodEndOf(row);
    if ((row.scene === 'pro_monthly' || row.scene === 'pro_yearly') && periodEnd && periodEnd > now) {
      return { id: row.scene, periodEnd };
    }
  }
  return { id: 'free' };
}

export interface PaymentPage {
  items: Payment[];
  /** The id to pass as `before` for the next (older) page, or null on the last page. */
  nextBefore: number | null;
}

const userIdInput = z.string().min(1).max(200);
const paymentPageInput = z.strictObject({
  userId: userIdInput,
  limit: z.number().int().min(1).max(100),
  before: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

/** A user's payments, newest first, keyset-paginated on the id. Only ever rows of `userId`. */
export async function getPayments(input: {
  userId: string;
  limit: number;
  before?: number;
}): Promise<PaymentPage> {
  const args = parseInput(paymentPageInput, input);
  const filters = [eq(payment.userId, args.userId)];
  if (args.before !== undefined) filters.push(lt(payment.id, args.before));
  const rows = await getDb()
    .select()
    .from(payment)
    .where(and(...filters))
    .orderBy(desc(payment.id))
    .limit(args.limit + 1);
  const items = rows.slice(0, args.limit);
  const last = items[items.length - 1];
  return { items, nextBefore: rows.length > args.limit && last ? last.id : null };
}

function periodEndOf(row: Payment): Date | null {
  const value = row.metadata?.periodEnd;
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
