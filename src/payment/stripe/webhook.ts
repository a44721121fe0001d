import 'server-only';
import type Stripe from 'stripe';
import type { StripeConfig } from '../config';
import { PaymentError } from '../errors';
import type { PaymentEvent } from '../events';
import { stripeClient } from './client';
import { normaliseStripeEvent } from './events';

/**
 * A Stripe webhook delivery, verified against the raw body (`Stripe-Signature`, the endpoint secret,
 * the SDK's default five-minute tolerance) and translated into a provider-neutral event.
 */
export async function readStripeDelivery(
  rawBody: string,
  signature: string | null,
  config: StripeConfig,
): Promise<{ event: Stripe.Event; normalised: PaymentEvent }> {
  const stripe = stripeClient(config);
  if (!signature) throw new PaymentError('INVALID_NOTIFICATION', 'no Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature, config.webhookSecret);
  } catch (error) {
    throw new PaymentError('INVALID_NOTIFICATION', error instanceof Error ? error.message : 'bad signature');
  }
  const normalised = await normaliseStripeEvent(event, {
    async invoicePaymentIntent(invoiceId) {
      try {
        const payments = await stripe.invoicePayments.list({ invoice: invoiceId, limit: 10 });
        const paid = payments.data.find(
          (entry) => entry.payment.type === 'payment_intent' && entry.payment.payment_intent,
        );
        const intent = paid?.payment.payment_intent;
        return typeof intent === 'string' ? intent : (intent?.id ?? null);
      } catch (error) {
        throw new PaymentError(
          'PROVIDER_UNAVAILABLE',
          `could not read the payments of invoice ${invoiceId}: ${error instanceof Error ? error.message : error}`,
        );
      }
    },
  });
  return { event, normalised };
}
