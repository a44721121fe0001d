import { z } from 'zod';
import { json, jsonError } from '@/lib/http';
import { getSession } from '@/lib/session';
import { getCurrentPlan, getPayments } from '@/payment/queries';

export const dynamic = 'force-dynamic';

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
    getPayments({ userId: session.user.id, limit: 20, before: params.data.before }),
  ]);
  return json({ plan, payments });
}
