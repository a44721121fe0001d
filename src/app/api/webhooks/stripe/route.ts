import { getPaymentsConfig } from '@/payment/config';
import { isPaymentError } from '@/payment/errors';
import { handlePaymentEvent } from '@/payment/handlers/core';
import { readStripeDelivery } from '@/payment/stripe/webhook';

/**
 * POST /api/webhooks/stripe. 2xx for handled events and for duplicates; 400 for a bad signature or
 * payload (nothing written); 5xx when the payment cannot be matched yet or something failed, so Stripe
 * retries (for up to three days). Never 200 for a payment the app could not attach to a user.
 */
export const runtime = 'nodejs';

export async function POST(request: Request): Promise<Response> {
  const config = getPaymentsConfig().stripe;
  if (!config) return Response.json({ error: 'STRIPE_NOT_CONFIGURED' }, { status: 503 });
  const rawBody = await request.text();
  let eventId = 'unverified';
  try {
    const { event, normalised } = await readStripeDelivery(
      rawBody,
      request.headers.get('stripe-signature'),
      config,
    );
    eventId = event.id;
    const result = await handlePaymentEvent(normalised);
    console.info(`[payments] stripe ${event.type} ${event.id}: ${JSON.stringify(result)}`);
    return Response.json({ received: true, ...result });
  } catch (error) {
    if (isPaymentError(error)) {
      console.error(`[payments] stripe event ${eventId}: ${error.code}: ${error.message}`);
      return Response.json({ error: error.code, message: error.message }, { status: error.status });
    }
    console.error(`[payments] stripe event ${eventId} failed:`, error);
    return Response.json({ error: 'INTERNAL' }, { status: 500 });
  }
}
