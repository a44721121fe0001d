import { z } from 'zod';
import { json, jsonError } from '@/lib/http';
import { getSession } from '@/lib/session';
import { getWechatOrder, OUT_TRADE_NO } from '@/payment/wechat/orders';

export const dynamic = 'force-dynamic';

const orderNo = z.string().regex(OUT_TRADE_NO);

/**
 * GET /api/payments/wechat/<orderNo>: the signed-in user's WeChat order, polled by its pay page. Another
 * user's order is answered exactly like one that does not exist.
 */
export async function GET(
  request: Request,
  context: { params: Promise<{ orderNo: string }> },
): Promise<Response> {
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  const parsed = orderNo.safeParse((await context.params).orderNo);
  if (!parsed.success) return jsonError(400, 'INVALID_INPUT', { issues: parsed.error.issues });
  const order = await getWechatOrder(session.user.id, parsed.data);
  if (!order) return jsonError(404, 'NOT_FOUND');
  return json(order);
}
