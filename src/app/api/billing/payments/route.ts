import { siteConfig } from '@site-config';
import { z } from 'zod';
import type { Payment } from '@/db/schema';
import { json, jsonError } from '@/lib/http';
import { getSession } from '@/lib/session';
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
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  const params = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success) return jsonError(400, 'INVALID_INPUT', { issues: params.error.issues });
  const [plan, payments] = await Promise.all([
    getCurrentPlan(session.user.id),
    getPayments({
      userId: session.user.id,
      limit: siteConfig.credits.limits.paymentsPageSize,
      ...params.data,
    }),
  ]);
  return json({ plan, payments: { ...payments, items: payments.items.map(toPaymentItem) } });
}
