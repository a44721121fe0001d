import 'server-only';
import type { PlanId } from '@site-config';
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '@/credits/inputs';
import { getDb } from '@/db';
import {
  billingCustomer,
  liveSubscriptionStatuses,
  ownedPaymentStatuses,
  type Payment,
  payment,
  subscription,
} from '@/db/schema';

/** Read side of payments for the billing page and its API: a user's plan and payment history. Never writes. */

export type CurrentPlan =
  | { id: 'free' }
  | { id: 'lifetime'; since: Date }
  | {
      id: Exclude<PlanId, 'lifetime'>;
      /** When the paid period ends: the renewal date, or the end date when it will not renew. */
      periodEnd: Date | null;
      cancelAtPeriodEnd: boolean;
      /** The provider's status: active, trialing, or past_due (a renewal payment failed; Stripe retries). */
      status: string;
    };

/**
 * The user's plan: a lifetime purchase, else a live subscription (as the provider last reported it),
 * else free. A subscription past its period end without news from the provider no longer counts.
 */
export async function getCurrentPlan(userId: string, now: Date = new Date()): Promise<CurrentPlan> {
  const id = parseInput(userIdInput, userId);
  const db = getDb();
  const [lifetime] = await db
    .select({ paidAt: payment.paidAt, createdAt: payment.createdAt })
    .from(payment)
    .where(
      and(
        eq(payment.userId, id),
        inArray(payment.status, [...ownedPaymentStatuses]),
        eq(payment.type, 'one_time'),
        eq(payment.scene, 'lifetime'),
      ),
    )
    .orderBy(asc(payment.id))
    .limit(1);
  if (lifetime) return { id: 'lifetime', since: lifetime.paidAt ?? lifetime.createdAt };
  const [live] = await db
    .select()
    .from(subscription)
    .where(
      and(
        eq(subscription.userId, id),
        inArray(subscription.status, [...liveSubscriptionStatuses]),
        or(isNull(subscription.currentPeriodEnd), gt(subscription.currentPeriodEnd, now)),
      ),
    )
    .orderBy(sql`${subscription.currentPeriodEnd} DESC NULLS LAST`)
    .limit(1);
  if (live) {
    return {
      id: live.plan,
      periodEnd: live.currentPeriodEnd,
      cancelAtPeriodEnd: live.cancelAtPeriodEnd,
      status: live.status,
    };
  }
  return { id: 'free' };
}

/** The user's Stripe Customer id, or null before their first Stripe checkout. */
export async function stripeCustomerOf(userId: string): Promise<string | null> {
  const [row] = await getDb()
    .select({ customerId: billingCustomer.customerId })
    .from(billingCustomer)
    .where(
      and(
        eq(billingCustomer.userId, parseInput(userIdInput, userId)),
        eq(billingCustomer.provider, 'stripe'),
      ),
    )
    .limit(1);
  return row?.customerId ?? null;
}

/** Whether the user has a Stripe Customer, i.e. something to manage in the Customer Portal. */
export async function hasBillingAccount(userId: string): Promise<boolean> {
  return (await stripeCustomerOf(userId)) !== null;
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
