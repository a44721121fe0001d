import 'server-only';
import type Stripe from 'stripe';
import { getSql } from '@/db';
import type { CheckoutAdapter, CheckoutOrder } from '../checkout';
import type { StripeConfig } from '../config';
import { stripeCustomerOf } from '../queries';
import { linkCustomer } from '../store';
import { stripeClient } from './client';
import { APP_MARKER, purchaseMetadata } from './metadata';

/**
 * Stripe Checkout for every product: packs and the lifetime plan in `payment` mode, pro monthly and
 * yearly in `subscription` mode. One Stripe Customer per user, created at the first checkout. The
 * purchase snapshot goes into the session's metadata and into the payment intent's or subscription's,
 * so every later event (payment, invoice, refund) can say whose it is and what it bought.
 */

export function stripeCheckout(config: StripeConfig): CheckoutAdapter {
  return {
    method: 'stripe',
    supports: () => true,
    async createCheckout(order, { appUrl }) {
      const stripe = stripeClient(config);
      const customer = await ensureCustomer(stripe, order.userId, order.email);
      const metadata = purchaseMetadata(order);
      const recurring = order.type === 'subscription';
      const session = await stripe.checkout.sessions.create({
        mode: recurring ? 'subscription' : 'payment',
        customer,
        client_reference_id: order.userId,
        line_items: [lineItem(config, order)],
        metadata,
        ...(recurring ? { subscription_data: { metadata } } : { payment_intent_data: { metadata } }),
        success_url: `${appUrl}/settings/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${appUrl}/settings/credits?checkout=cancelled`,
      });
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { redirectUrl: session.url };
    },
  };
}

/** The configured Price for the product and currency, else the price from site.config.ts inline. */
function lineItem(config: StripeConfig, order: CheckoutOrder): Stripe.Checkout.SessionCreateParams.LineItem {
  const priceId = config.priceIds.get(`${order.scene}:${order.currency}`);
  if (priceId) return { price: priceId, quantity: 1 };
  return {
    quantity: 1,
    price_data: {
      currency: order.currency.toLowerCase(),
      unit_amount: order.amountMinor,
      product_data: { name: order.description },
      ...(order.interval && { recurring: { interval: order.interval } }),
    },
  };
}

/**
 * The user's Stripe Customer, created once. Concurrent first checkouts send the same idempotency key,
 * so Stripe answers both with one customer; the first row recorded wins either way.
 */
export async function ensureCustomer(stripe: Stripe, userId: string, email: string | null): Promise<string> {
  const existing = await stripeCustomerOf(userId);
  if (existing) return existing;
  const customer = await stripe.customers.create(
    { ...(email && { email }), metadata: { app: APP_MARKER, userId } },
    { idempotencyKey: `saas-credits-customer-${userId}` },
  );
  await linkCustomer(getSql(), userId, customer.id);
  return (await stripeCustomerOf(userId)) ?? customer.id;
}

/** A Customer Portal session for the user (manage or cancel the subscription, invoices, card). */
export async function createPortalSession(
  config: StripeConfig,
  userId: string,
  returnUrl: string,
): Promise<string | null> {
  const customer = await stripeCustomerOf(userId);
  if (!customer) return null;
  const session = await stripeClient(config).billingPortal.sessions.create({
    customer,
    return_url: returnUrl,
  });
  return session.url;
}

/**
 * The receipt of a pack or lifetime purchase: the charge's `receipt_url`, looked up when asked for
 * rather than stored, since Stripe's receipt links are long-lived but not permanent.
 */
export async function chargeReceiptUrl(
  config: StripeConfig,
  paymentIntentId: string,
): Promise<string | null> {
  const intent = await stripeClient(config).paymentIntents.retrieve(paymentIntentId, {
    expand: ['latest_charge'],
  });
  const charge = intent.latest_charge;
  return charge && typeof charge === 'object' ? charge.receipt_url : null;
}
