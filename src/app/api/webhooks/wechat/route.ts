import { getPaymentsConfig } from '@/payment/config';
import { isPaymentError } from '@/payment/errors';
import { handlePaymentEvent } from '@/payment/handlers/core';
import { readWechatNotification } from '@/payment/wechat/notifications';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** WeChat's answer to anything but success: it retries for about a day on any 4xx or 5xx. */
function fail(status: number, message: string): Response {
  return Response.json({ code: 'FAIL', message }, { status });
}

/**
 * POST /api/webhooks/wechat: WeChat Pay notifications. Verify and parse (the raw body, exactly as
 * signed), hand the event to the dispatch, and map the outcome: handled or already handled is 204;
 * a bad notification is 4xx; an order not found yet or a failure of ours is 5xx, so WeChat retries.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = getPaymentsConfig().wechat;
    if (!config) return fail(503, 'WeChat Pay is not configured');
    const event = readWechatNotification(request.headers, await request.text(), config);
    await handlePaymentEvent(event);
    return new Response(null, { status: 204 });
  } catch (error) {
    if (isPaymentError(error)) return fail(error.status, error.message);
    console.error('[payments] WeChat notification failed:', error);
    return fail(500, 'Internal error');
  }
}
