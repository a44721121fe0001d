import { siteConfig } from '@site-config';
import { z } from 'zod';
import type { Payment } from '@/db/schema';
import { json, signedInQuery } from '@/lib/http';
import { getCurrentPlan, getPayments } from '@/payment/queries';

export const dynamic = 'force-dynamic';

/** What a client sees of a payment: not the provider's ids or the metadata kept for reconciliation. */
function toPaymentItem(row: Payment) {
  const { id, provider, type, scene, amountMinor, currency, status, credits, createdAt } = row;
  return { id, provider, type, scene, amountMinor, currency, status, credits, createdAt };
}

const query = z.strictObject({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

/** GET /api/billing/payments: the signed-in user's plan and payments, newest first (`before` pages). */
export async function GET(request: Request): Promise<Response> {
  const input = await signedInQuery(request, query);
  if (input instanceof Response) return input;
  const [plan, payments] = await Promise.all([
    getCurrentPlan(input.userId),
    getPayments({ userId: input.userId, limit: siteConfig.credits.limits.paymentsPageSize, ...input.query }),
  ]);
  return json({ plan, payments: { ...payments, items: payments.items.map(toPaymentItem) } });
}
