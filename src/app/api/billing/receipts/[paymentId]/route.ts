import { z } from 'zod';
import { jsonError } from '@/lib/http';
import { getSession } from '@/lib/session';
import { receiptUrlFor } from '@/payment/receipts';

/** GET /api/billing/receipts/:paymentId: redirects the payment's owner to the provider's receipt. */
const paymentIdInput = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export async function GET(
  request: Request,
  context: { params: Promise<{ paymentId: string }> },
): Promise<Response> {
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  const paymentId = paymentIdInput.safeParse((await context.params).paymentId);
  if (!paymentId.success) return jsonError(400, 'INVALID_INPUT');
  try {
    const url = await receiptUrlFor(session.user.id, paymentId.data);
    if (!url) return jsonError(404, 'NO_RECEIPT');
    return Response.redirect(url, 303);
  } catch (error) {
    console.error(`[payments] receipt of payment ${paymentId.data} failed:`, error);
    return jsonError(502, 'PROVIDER_UNAVAILABLE');
  }
}
