import 'server-only';
import type { PlanId } from '@site-config';
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '@/credits/inputs';
import { getDb } from '@/db';
import { type Payment, payment } from '@/db/schema';

/** Read side of payments for the billing page and its API: a user's plan and payment history. Never writes. */

export type CurrentPlan =
  | { id: 'free' }
  | { id: 'lifetime'; since: Date }
  | { id: Exclude<PlanId, 'lifetime'>; periodEnd: Date };

/**
 * A subscription payment's period end, written into its metadata (ISO 8601) by the payment webhook. A
 * value of another shape reads as no period end rather than failing the whole query.
 */
const periodEnd = sql`CASE WHEN ${payment.metadata}->>'periodEnd' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
  THEN (${payment.metadata}->>'periodEnd')::timestamptz END`;

/** Statuses under which a purchase still counts as bought (a partial refund keeps the plan). */
const ACTIVE_STATUSES: Payment['status'][] = ['paid', 'partially_refunded'];

/**
 * The user's plan, from their payments: a lifetime purchase, else the paid subscription period that
 * ends last among those not yet ended (its `periodEnd` is in the payment's metadata), else free. Two
 * targeted queries, so any number of other payments cannot hide a plan.
 */
export async function getCurrentPlan(userId: string, now: Date = new Date()): Promise<CurrentPlan> {
  const id = parseInput(userIdInput, userId);
  const owned = and(eq(payment.userId, id), inArray(payment.status, ACTIVE_STATUSES));
  const db = getDb();
  const [lifetime] = await db
    .select({ createdAt: payment.createdAt })
    .from(payment)
    .where(and(owned, eq(payment.type, 'one_time'), eq(payment.scene, 'lifetime')))
    .orderBy(asc(payment.id))
    .limit(1);
  if (lifetime) return { id: 'lifetime', since: lifetime.createdAt };
  // The subscription period that ends last among those not yet ended (compared in SQL, to the microsecond).
  const [period] = await db
    .select({ scene: payment.scene, periodEnd: sql<string>`${periodEnd}` })
    .from(payment)
    .where(
      and(
        owned,
        eq(payment.type, 'subscription'),
        inArray(payment.scene, ['pro_monthly', 'pro_yearly']),
        sql`${periodEnd} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(periodEnd))
    .limit(1);
  if (period?.scene === 'pro_monthly' || period?.scene === 'pro_yearly') {
    return { id: period.scene, periodEnd: new Date(period.periodEnd) };
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
