import 'server-only';
import type Stripe from 'stripe';
import { getSql } from '@/db';
import type { PaymentStatus } from '@/db/schema';
import type { StripeConfig } from '../config';
import { handlePaymentEvent } from '../handlers/core';
import { stripeClient } from './client';
import { completedCheckoutEvent } from './events';

/**
 * The buyer is back from Stripe Checkout before (or without) the webhook: ask Stripe about the session
 * and fulfil it now if it is paid, through the same dispatch, so the credits are on the page they land
 * on. The webhook that follows finds the payment claimed and does nothing. Only the session's own user
 * can trigger this, and only for a session of this app.
 */

export type CheckoutReturn =
  | { status: 'paid'; credits: number }
  | { status: 'processing' }
  | { status: 'unknown' };

export async function confirmCheckoutReturn(
  config: StripeConfig,
  userId: string,
  sessionId: string,
): Promise<CheckoutReturn> {
  if (!/^cs_\w{1,250}$/.test(sessionId)) return { status: 'unknown' };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripeClient(config).checkout.sessions.retrieve(sessionId);
  } catch (error) {
    console.warn(`[payments] could not read checkout session ${sessionId}:`, error);
    return (await storedPayment(userId, sessionId)) ?? { status: 'processing' };
  }
  if (session.metadata?.userId !== userId || session.status !== 'complete') return { status: 'unknown' };
  if (session.mode === 'payment' && session.payment_status === 'paid') {
    const event = completedCheckoutEvent(session, new Date());
    await handlePaymentEvent(event);
  }
  // Subscriptions are granted per invoice, by the webhook; the page says it is on its way until then.
  return (await storedPayment(userId, sessionId)) ?? { status: 'processing' };
}

async function storedPayment(userId: string, sessionId: string): Promise<CheckoutReturn | null> {
  const [row] = await getSql()<{ status: PaymentStatus; credits: number }[]>`
    SELECT status, credits FROM payment
    WHERE provider = 'stripe' AND provider_payment_id = ${sessionId} AND user_id = ${userId}`;
  if (!row) return null;
  return row.status === 'paid' ? { status: 'paid', credits: row.credits } : { status: 'processing' };
}
