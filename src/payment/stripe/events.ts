import 'server-only';
import type Stripe from 'stripe';
import { z } from 'zod';
import { PaymentError } from '../errors';
import type { PaymentEvent, SubscriptionState } from '../events';
import { isOurs, readPurchaseMetadata } from './metadata';

/**
 * Stripe events, verified by the route, parsed with zod (only the fields the app relies on) and turned
 * into the provider-neutral events of src/payment/events.ts. No database access here; the one Stripe
 * API call (an invoice's payment intent) is passed in, so this stays a pure translation.
 */

const id = z.string().min(1).max(255);
const metadata = z.record(z.string(), z.string()).nullable().optional();
const expandable = z
  .union([id, z.object({ id })])
  .transform((value) => (typeof value === 'string' ? value : value.id));
const currency = z
  .string()
  .regex(/^[a-z]{3}$/)
  .transform((value) => value.toUpperCase());
const minor = z.number().int().nonnegative();
const seconds = z
  .number()
  .int()
  .transform((value) => new Date(value * 1000));

const checkoutSession = z.object({
  id,
  mode: z.enum(['payment', 'subscription', 'setup']),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  amount_total: minor.nullable(),
  currency: currency.nullable(),
  customer: expandable.nullable(),
  client_reference_id: z.string().nullable().optional(),
  payment_intent: expandable.nullable(),
  subscription: expandable.nullable(),
  metadata,
});

const invoice = z.object({
  id,
  amount_paid: minor,
  currency,
  customer: expandable.nullable(),
  hosted_invoice_url: z.string().nullable().optional(),
  // Null outside subscriptions, never absent: an invoice without it comes from an endpoint on an API
  // version before 2025-03-31, and must be refused (retried, logged) rather than acknowledged and lost.
  parent: z
    .object({
      subscription_details: z.object({ subscription: expandable, metadata }).nullable().optional(),
    })
    .nullable(),
  lines: z.object({ data: z.array(z.object({ period: z.object({ start: seconds, end: seconds }) })) }),
  payments: z
    .object({
      data: z.array(z.object({ payment: z.object({ payment_intent: expandable.nullable().optional() }) })),
    })
    .optional(),
});

const subscription = z.object({
  id,
  status: z.string().min(1).max(40),
  customer: expandable,
  cancel_at_period_end: z.boolean(),
  metadata,
  items: z.object({
    data: z.array(z.object({ current_period_end: seconds.optional(), price: z.object({ id }).optional() })),
  }),
});

const charge = z.object({
  id,
  amount: minor,
  amount_refunded: minor,
  currency,
  customer: expandable.nullable(),
  payment_intent: expandable.nullable(),
  metadata,
});

const dispute = z.object({
  id,
  amount: minor,
  currency,
  status: z.string().min(1).max(40),
  payment_intent: expandable.nullable(),
  charge: expandable,
});

export interface StripeLookups {
  /** The payment intent that paid an invoice (an API call: invoice payments are not in the event). */
  invoicePaymentIntent(invoiceId: string): Promise<string | null>;
}

export async function normaliseStripeEvent(
  event: Stripe.Event,
  lookups: StripeLookups,
): Promise<PaymentEvent> {
  const observedAt = new Date(event.created * 1000);
  const object = event.data.object;
  const label = `${event.type} ${event.id}`;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
      return fromCheckoutSession(event.type, parse(checkoutSession, object, label), observedAt);
    case 'invoice.paid':
      return fromInvoice(parse(invoice, object, label), observedAt, lookups);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return fromSubscription(parse(subscription, object, label), observedAt);
    case 'charge.refunded': {
      const refunded = parse(charge, object, label);
      if (!refunded.payment_intent)
        return { kind: 'ignored', reason: `charge ${refunded.id} has no payment intent` };
      return {
        kind: 'refund.succeeded',
        provider: 'stripe',
        payment: { providerReference: refunded.payment_intent },
        // Stripe sends running totals; the total is the key, so each new refund is a new adjustment.
        refundId: `total:${refunded.amount_refunded}`,
        refundedTotalMinor: refunded.amount_refunded,
        currency: refunded.currency,
        owner: { userId: refunded.metadata?.userId ?? null, customerId: refunded.customer },
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return fromDispute(event.type, parse(dispute, object, label));
    default:
      return { kind: 'ignored', reason: `event type ${event.type} is not handled` };
  }
}

/**
 * A checkout session read from the API rather than a webhook (the buyer's return page), as the event
 * its `checkout.session.completed` would be.
 */
export function completedCheckoutEvent(session: unknown, observedAt: Date): PaymentEvent {
  return fromCheckoutSession(
    'checkout.session.completed',
    parse(checkoutSession, session, 'checkout session'),
    observedAt,
  );
}

function parse<T extends z.ZodType>(schema: T, object: unknown, label: string): z.output<T> {
  const parsed = schema.safeParse(object);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new PaymentError('INVALID_NOTIFICATION', `${label} has an unexpected shape: ${problems}`);
}

function fromCheckoutSession(
  type:
    | 'checkout.session.completed'
    | 'checkout.session.async_payment_succeeded'
    | 'checkout.session.async_payment_failed',
  session: z.output<typeof checkoutSession>,
  observedAt: Date,
): PaymentEvent {
  if (!isOurs(session.metadata))
    return { kind: 'ignored', reason: `session ${session.id} was not created by this app` };
  const snapshot = readPurchaseMetadata(session.metadata);
  const payer = {
    userId: snapshot?.userId ?? session.client_reference_id ?? null,
    customerId: session.customer,
  };
  if (session.mode === 'subscription') {
    if (!payer.userId || !session.customer) {
      throw new PaymentError(
        'UNMATCHED_PAYMENT',
        `subscription checkout ${session.id} names no user or customer`,
      );
    }
    const plan = snapshot?.purchase.scene;
    return {
      kind: 'customer.linked',
      provider: 'stripe',
      userId: payer.userId,
      customerId: session.customer,
      // Only a paid session says the subscription is active; while a bank debit clears (or after it
      // failed), the subscription's own events say what it is.
      ...(session.subscription &&
        session.payment_status !== 'unpaid' &&
        (plan === 'pro_monthly' || plan === 'pro_yearly') && {
          subscription: {
            providerSubscriptionId: session.subscription,
            plan,
            status: 'active',
            currentPeriodEnd: null,
            cancelAtPeriodEnd: null,
            observedAt,
          },
        }),
    };
  }
  if (type === 'checkout.session.async_payment_failed') {
    return { kind: 'payment.failed', provider: 'stripe', providerPaymentId: session.id, status: 'failed' };
  }
  const base = {
    provider: 'stripe' as const,
    providerPaymentId: session.id,
    providerReference: session.payment_intent,
    amountMinor: session.amount_total ?? 0,
    currency: session.currency ?? 'USD',
  };
  // Damaged metadata still names the purchase as far as it can; the dispatch records it as needing attention.
  const purchase = snapshot?.purchase ?? {
    type: 'credit_pack' as const,
    scene: session.metadata?.scene ?? 'unknown',
    credits: null,
  };
  if (session.payment_status === 'unpaid') return { kind: 'payment.pending', ...base, payer, purchase };
  return { kind: 'payment.succeeded', ...base, order: { kind: 'snapshot', payer, purchase } };
}

async function fromInvoice(
  paid: z.output<typeof invoice>,
  observedAt: Date,
  lookups: StripeLookups,
): Promise<PaymentEvent> {
  const details = paid.parent?.subscription_details;
  if (!details) return { kind: 'ignored', reason: `invoice ${paid.id} is not a subscription's` };
  if (!isOurs(details.metadata))
    return { kind: 'ignored', reason: `invoice ${paid.id} is not for a subscription of this app` };
  const snapshot = readPurchaseMetadata(details.metadata);
  const periodEnd = new Date(Math.max(...paid.lines.data.map((line) => line.period.end.getTime())));
  const plan = snapshot?.purchase.scene;
  const paymentIntent =
    paid.payments?.data.find((entry) => entry.payment.payment_intent)?.payment.payment_intent ??
    (paid.amount_paid > 0 ? await lookups.invoicePaymentIntent(paid.id) : null);
  const subscriptionState: SubscriptionState | undefined =
    plan === 'pro_monthly' || plan === 'pro_yearly'
      ? {
          providerSubscriptionId: details.subscription,
          plan,
          status: 'active',
          currentPeriodEnd: Number.isFinite(periodEnd.getTime()) ? periodEnd : null,
          cancelAtPeriodEnd: null,
          observedAt,
        }
      : undefined;
  return {
    kind: 'payment.succeeded',
    provider: 'stripe',
    providerPaymentId: paid.id,
    providerReference: paymentIntent ?? null,
    order: {
      kind: 'snapshot',
      payer: { userId: snapshot?.userId ?? details.metadata?.userId ?? null, customerId: paid.customer },
      purchase: snapshot?.purchase ?? {
        type: 'subscription',
        scene: details.metadata?.scene ?? 'unknown',
        credits: null,
      },
    },
    amountMinor: paid.amount_paid,
    currency: paid.currency,
    ...(subscriptionState?.currentPeriodEnd && { periodEnd: subscriptionState.currentPeriodEnd }),
    ...(subscriptionState && { subscription: subscriptionState }),
    ...(paid.hosted_invoice_url && { details: { invoiceUrl: paid.hosted_invoice_url } }),
  };
}

function fromSubscription(changed: z.output<typeof subscription>, observedAt: Date): PaymentEvent {
  if (!isOurs(changed.metadata))
    return { kind: 'ignored', reason: `subscription ${changed.id} is not this app's` };
  const plan = changed.metadata?.scene;
  if (plan !== 'pro_monthly' && plan !== 'pro_yearly') {
    throw new PaymentError('INVALID_NOTIFICATION', `subscription ${changed.id} has no plan in its metadata`);
  }
  const ends = changed.items.data.flatMap((item) =>
    item.current_period_end ? [item.current_period_end.getTime()] : [],
  );
  return {
    kind: 'subscription.changed',
    provider: 'stripe',
    payer: { userId: changed.metadata?.userId ?? null, customerId: changed.customer },
    subscription: {
      providerSubscriptionId: changed.id,
      plan,
      status: changed.status,
      currentPeriodEnd: ends.length > 0 ? new Date(Math.max(...ends)) : null,
      cancelAtPeriodEnd: changed.cancel_at_period_end,
      observedAt,
    },
  };
}

function fromDispute(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  changed: z.output<typeof dispute>,
): PaymentEvent {
  // Inquiries (warning_*) withdraw no funds: nothing to take back until they become a dispute.
  if (changed.status.startsWith('warning_'))
    return { kind: 'ignored', reason: `dispute ${changed.id} is an inquiry` };
  if (!changed.payment_intent)
    return { kind: 'ignored', reason: `dispute ${changed.id} has no payment intent` };
  const common = {
    provider: 'stripe' as const,
    payment: { providerReference: changed.payment_intent },
    disputeId: changed.id,
    amountMinor: changed.amount,
    currency: changed.currency,
    owner: 'unknown' as const,
  };
  if (type === 'charge.dispute.created') return { kind: 'dispute.opened', ...common };
  if (changed.status === 'won') return { kind: 'dispute.won', ...common };
  if (changed.status === 'lost') return { kind: 'dispute.lost', ...common };
  return { kind: 'ignored', reason: `dispute ${changed.id} closed as ${changed.status}` };
}
