import { siteConfig } from '@site-config';
import type Stripe from 'stripe';
import { describe, expect, it, vi } from 'vitest';
import { getSql } from '@/db';
import { getCurrentPlan } from '@/payment/queries';
import { balanceOf, createUser, ledgerRowCounts } from '../factories';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe';
import { withFakeProvider } from '../support/provider-suite';
import {
  checkoutSession,
  event,
  invoice,
  nowSeconds,
  periodEnd,
  subscription,
} from '../support/stripe-events';
import {
  buyPack,
  customerOf,
  deliver,
  deliverOk,
  expectNothingWritten,
  openCheckout,
  paymentGrants,
  paymentRow,
  planMetadata,
  raised,
  SECRET_KEY,
  stubStripeEnv,
} from '../support/stripe-setup';

// Subscriptions over the webhook: the checkout only links user, customer and subscription; each paid
// invoice grants one period's credits; subscription events keep the plan as Stripe last reported it.

let fake: FakeStripe;
withFakeProvider(startFakeStripe, stubStripeEnv, (started) => {
  fake = started;
});

const { plans } = siteConfig.credits;

/** A pro plan bought and paid at the fake: the Events Stripe raised, not yet delivered. */
async function subscribe(
  userId: string,
  plan: 'pro_monthly' | 'pro_yearly' = 'pro_monthly',
  currency: 'USD' | 'CNY' = 'USD',
) {
  const sessionId = await openCheckout(fake, userId, { kind: 'plan', id: plan }, currency);
  const events = await fake.complete(sessionId);
  const paid = raised(events, 'invoice.paid').data.object;
  const started = raised(events, 'customer.subscription.created').data.object;
  const line = paid.lines.data[0];
  if (!line) throw new Error('the fake’s invoice has no line');
  return {
    sessionId,
    events,
    invoice: paid,
    subscription: started,
    periodEnd: new Date(line.period.end * 1000),
  };
}

/** The next period's paid invoice of the same subscription, as Stripe sends it at renewal. */
function renewalOf(previous: Stripe.Invoice): Stripe.Invoice {
  const start = previous.lines.data[0]?.period.end ?? 0;
  return invoice({
    customer: previous.customer as string,
    amount_paid: previous.amount_paid,
    currency: previous.currency,
    billing_reason: 'subscription_cycle',
    parent: { subscription_details: previous.parent?.subscription_details ?? {} },
    lines: { data: [{ period: { start, end: periodEnd(start, 'month') } }] },
  });
}

function subscriptionEvent(
  type: 'customer.subscription.updated' | 'customer.subscription.deleted',
  current: Stripe.Subscription,
  changes: Partial<Stripe.Subscription>,
  created: number,
) {
  return event(type, { ...current, ...changes }, { created });
}

describe('a subscription checkout', () => {
  it('links the customer and the subscription and grants nothing; its first invoice grants the period’s credits', async () => {
    const userId = await createUser();
    const { events, invoice: paid, subscription: started, periodEnd: end } = await subscribe(userId);

    expect(await deliverOk(fake, raised(events, 'checkout.session.completed'))).toMatchObject({
      detail: 'customer linked',
    });
    expect(await customerOf(userId)).toEqual([started.customer]);
    const [linked] = await getSql()<{ plan: string; status: string }[]>`
      SELECT plan, status FROM subscription WHERE provider_subscription_id = ${started.id} AND user_id = ${userId}`;
    expect(linked).toEqual({ plan: 'pro_monthly', status: 'active' });
    await deliverOk(fake, raised(events, 'customer.subscription.created'));
    expect(await paymentGrants(userId)).toEqual([]);
    expect(await balanceOf(userId)).toBe(0);

    const lookupsBefore = fake.requestsTo('GET', '/v1/invoice_payments').length;
    expect(await deliverOk(fake, raised(events, 'invoice.paid'))).toMatchObject({ outcome: 'granted' });

    // The invoice does not name its payment intent: the app asked Stripe's invoice payments for it.
    const lookups = fake.requestsTo('GET', '/v1/invoice_payments').slice(lookupsBefore);
    expect(lookups.map((request) => request.query.invoice)).toEqual([paid.id]);
    const invoicePayment = [...fake.invoicePayments.values()].find((item) => item.invoice === paid.id);
    expect(await paymentRow(paid.id)).toMatchObject({
      providerReference: invoicePayment?.payment.payment_intent,
      userId,
      type: 'subscription',
      scene: 'pro_monthly',
      amountMinor: plans.pro_monthly.price.USD,
      currency: 'USD',
      status: 'paid',
      credits: plans.pro_monthly.creditsPerPeriod,
      metadata: expect.objectContaining({ invoiceUrl: paid.hosted_invoice_url }),
    });
    expect(plans.pro_monthly.creditsExpireAtPeriodEnd).toBe(true);
    expect(await paymentGrants(userId)).toMatchObject([
      { amount: 1000, sourceType: 'subscription', expiresAt: end },
    ]);
    expect(await getCurrentPlan(userId)).toEqual({
      id: 'pro_monthly',
      periodEnd: end,
      cancelAtPeriodEnd: false,
      status: 'active',
    });
    expect(await deliverOk(fake, raised(events, 'invoice.paid'))).toMatchObject({ outcome: 'duplicate' });
    expect(await balanceOf(userId)).toBe(1000);
  });

  it('of the yearly plan in CNY grants the year’s credits, expiring when the year ends', async () => {
    const userId = await createUser();
    const { events, invoice: paid, periodEnd: end } = await subscribe(userId, 'pro_yearly', 'CNY');
    for (const item of events) await deliverOk(fake, item);

    expect(await paymentRow(paid.id)).toMatchObject({
      amountMinor: plans.pro_yearly.price.CNY,
      currency: 'CNY',
      credits: 12_000,
    });
    expect(await paymentGrants(userId)).toMatchObject([{ amount: 12_000, expiresAt: end }]);
    expect(end.getUTCFullYear() - new Date().getUTCFullYear()).toBe(1);
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_yearly', periodEnd: end });
  });
});

describe('invoice.paid when Stripe cannot say which payment intent paid it', () => {
  it('is answered 5xx so Stripe retries, writing nothing, and granted on the retry', async () => {
    const userId = await createUser();
    const { events, invoice: paid } = await subscribe(userId);
    vi.stubEnv('STRIPE_SECRET_KEY', 'sk_live_not_accepted_by_the_fake');
    vi.spyOn(console, 'error').mockImplementation(() => {});

    await expectNothingWritten(async () => {
      const response = await deliver(fake, raised(events, 'invoice.paid'));
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: 'PROVIDER_UNAVAILABLE' });
    });

    vi.stubEnv('STRIPE_SECRET_KEY', SECRET_KEY);
    expect(await deliverOk(fake, raised(events, 'invoice.paid'))).toMatchObject({ outcome: 'granted' });
    expect((await paymentRow(paid.id))?.providerReference).toMatch(/^pi_/);
  });
});

describe('invoice.paid at renewal', () => {
  it('grants once per invoice, each expiring at its period’s end, and never touches purchased credits', async () => {
    const userId = await createUser();
    await buyPack(fake, userId);
    const { events, invoice: first } = await subscribe(userId);
    for (const item of events) await deliverOk(fake, item);
    const renewal = renewalOf(first);
    const renewalEnd = new Date((renewal.lines.data[0]?.period.end ?? 0) * 1000);

    expect(await deliverOk(fake, event('invoice.paid', renewal))).toMatchObject({ outcome: 'granted' });
    expect(await deliverOk(fake, event('invoice.paid', renewal))).toMatchObject({ outcome: 'duplicate' });

    const grants = await paymentGrants(userId);
    expect(grants.map(({ amount, sourceType }) => ({ amount, sourceType }))).toEqual([
      { amount: 100, sourceType: 'credit_pack' },
      { amount: 1000, sourceType: 'subscription' },
      { amount: 1000, sourceType: 'subscription' },
    ]);
    expect(grants[1]?.expiresAt).toEqual(new Date((first.lines.data[0]?.period.end ?? 0) * 1000));
    expect(grants[2]?.expiresAt).toEqual(renewalEnd);
    expect(await balanceOf(userId)).toBe(2100);
    const lots = await getSql()<{ sourceType: string; remaining: number }[]>`
      SELECT t.source_type AS "sourceType", l.remaining FROM credit_lot l
      JOIN credit_transaction t ON t.id = l.grant_transaction_id WHERE l.user_id = ${userId} ORDER BY l.id`;
    expect(lots).toEqual([
      { sourceType: 'credit_pack', remaining: 100 },
      { sourceType: 'subscription', remaining: 1000 },
      { sourceType: 'subscription', remaining: 1000 },
    ]);
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_monthly', periodEnd: renewalEnd });
  });

  it('keeps the payment intent, so a later charge.refunded of the invoice takes its credits back', async () => {
    const userId = await createUser();
    const { events, invoice: paid } = await subscribe(userId);
    for (const item of events) await deliverOk(fake, item);
    const intent = (await paymentRow(paid.id))?.providerReference;
    const paidCharge = [...fake.charges.values()].find((item) => item.payment_intent === intent);
    if (!intent || !paidCharge) throw new Error('the invoice’s payment intent was not stored');

    const refunded = event('charge.refunded', {
      ...paidCharge,
      amount_refunded: paidCharge.amount,
      refunded: true,
    });
    expect(await deliverOk(fake, refunded)).toMatchObject({ outcome: 'recorded', detail: 'refunded' });

    expect(await paymentRow(paid.id)).toMatchObject({ status: 'refunded', refundedMinor: paid.amount_paid });
    expect(await balanceOf(userId)).toBe(0);
  });
});

describe('an invoice delivered after its period ended', () => {
  it('grants nothing, and its refund takes back nothing either: the credits bought elsewhere stay', async () => {
    const userId = await createUser();
    await buyPack(fake, userId);
    const { events, invoice: paid } = await subscribe(userId);
    for (const item of events.filter((each) => each.type !== 'invoice.paid')) await deliverOk(fake, item);
    // Stripe resent the first invoice's event long after the month it paid for (an endpoint down for weeks).
    const ended = nowSeconds() - 3 * 86_400;
    const line = paid.lines.data[0] as Stripe.InvoiceLineItem;
    const late = {
      ...paid,
      lines: { ...paid.lines, data: [{ ...line, period: { start: ended - 30 * 86_400, end: ended } }] },
    };
    vi.spyOn(console, 'warn').mockImplementation(() => {});

    expect(await deliverOk(fake, event('invoice.paid', late))).toMatchObject({
      detail: 'period already ended',
    });
    expect(await paymentGrants(userId)).toMatchObject([{ sourceType: 'credit_pack', amount: 100 }]);
    expect(await balanceOf(userId)).toBe(100);

    const intent = (await paymentRow(paid.id))?.providerReference;
    const paidCharge = [...fake.charges.values()].find((item) => item.payment_intent === intent);
    if (!intent || !paidCharge) throw new Error('the invoice’s payment intent was not stored');
    await deliverOk(
      fake,
      event('charge.refunded', { ...paidCharge, amount_refunded: paidCharge.amount, refunded: true }),
    );

    expect(await paymentRow(paid.id)).toMatchObject({ status: 'refunded' });
    // The refunded invoice granted nothing, so there is nothing of its own to take back.
    expect(await balanceOf(userId)).toBe(100);
  });
});

describe('a subscription paid by a delayed method (bank debit)', () => {
  it('is not reported active by its checkout before the payment clears, nor by the failure of that payment', async () => {
    const userId = await createUser();
    const now = nowSeconds();
    const unpaid = checkoutSession({
      mode: 'subscription',
      payment_status: 'unpaid',
      metadata: planMetadata(userId),
      created: now,
    });
    const customerId = unpaid.customer as string;
    const subscriptionId = unpaid.subscription as string;

    expect(
      await deliverOk(fake, event('checkout.session.completed', unpaid, { created: now })),
    ).toMatchObject({
      detail: 'customer linked',
    });
    expect(await customerOf(userId)).toEqual([customerId]);
    expect(await getCurrentPlan(userId)).toEqual({ id: 'free' });

    const pastDue = subscription({
      id: subscriptionId,
      customer: customerId,
      status: 'past_due',
      metadata: planMetadata(userId),
    });
    await deliverOk(fake, event('customer.subscription.updated', pastDue, { created: now + 10 }));
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_monthly', status: 'past_due' });

    await deliverOk(fake, event('checkout.session.async_payment_failed', unpaid, { created: now + 20 }));
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_monthly', status: 'past_due' });
    expect(await paymentGrants(userId)).toEqual([]);
  });
});

describe('subscription events', () => {
  it('show cancel_at_period_end on the plan, ignore an older update delivered late, and end the plan when deleted', async () => {
    const userId = await createUser();
    const { events, subscription: started, periodEnd: end } = await subscribe(userId);
    for (const item of events) await deliverOk(fake, item);
    const ledgerBefore = await ledgerRowCounts(userId);
    const now = nowSeconds();

    await deliverOk(
      fake,
      subscriptionEvent('customer.subscription.updated', started, { cancel_at_period_end: true }, now + 20),
    );
    expect(await getCurrentPlan(userId)).toEqual({
      id: 'pro_monthly',
      periodEnd: end,
      cancelAtPeriodEnd: true,
      status: 'active',
    });

    // An update Stripe made earlier (the user had resumed, then cancelled again) arrives after the newer one.
    await deliverOk(
      fake,
      subscriptionEvent('customer.subscription.updated', started, { cancel_at_period_end: false }, now + 10),
    );
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_monthly', cancelAtPeriodEnd: true });

    await deliverOk(
      fake,
      subscriptionEvent('customer.subscription.deleted', started, { status: 'canceled' }, now + 30),
    );
    expect(await getCurrentPlan(userId)).toEqual({ id: 'free' });
    // A stale "active" delivered after the deletion does not revive it.
    await deliverOk(fake, subscriptionEvent('customer.subscription.updated', started, {}, now + 30));
    expect(await getCurrentPlan(userId)).toEqual({ id: 'free' });

    expect(await ledgerRowCounts(userId)).toEqual(ledgerBefore);
  });

  it('delivered all at once, each several times, grant once and leave the plan as Stripe reported it', async () => {
    const userId = await createUser();
    const { events, invoice: paid, subscription: started, periodEnd: end } = await subscribe(userId);

    const responses = await Promise.all(
      events.flatMap((item) => Array.from({ length: 10 }, () => deliver(fake, item))),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
    expect(await paymentGrants(userId)).toMatchObject([{ amount: 1000, expiresAt: end }]);
    expect(await paymentRow(paid.id)).toMatchObject({ status: 'paid', userId });
    expect(await customerOf(userId)).toEqual([started.customer]);
    expect(await getCurrentPlan(userId)).toEqual({
      id: 'pro_monthly',
      periodEnd: end,
      cancelAtPeriodEnd: false,
      status: 'active',
    });
  });

  it('in any order: an invoice paid before its checkout completes grants once, and the checkout then changes no credits', async () => {
    const userId = await createUser();
    const { events, invoice: paid, periodEnd: end } = await subscribe(userId);

    expect(await deliverOk(fake, raised(events, 'invoice.paid'))).toMatchObject({ outcome: 'granted' });
    await deliverOk(fake, raised(events, 'customer.subscription.created'));
    const ledgerBefore = await ledgerRowCounts();
    expect(await deliverOk(fake, raised(events, 'checkout.session.completed'))).toMatchObject({
      detail: 'customer linked',
    });

    expect(await ledgerRowCounts()).toEqual(ledgerBefore);
    expect(await paymentGrants(userId)).toMatchObject([{ amount: 1000, expiresAt: end }]);
    expect(await paymentRow(paid.id)).toMatchObject({ status: 'paid', userId });
    expect(await getCurrentPlan(userId)).toEqual({
      id: 'pro_monthly',
      periodEnd: end,
      cancelAtPeriodEnd: false,
      status: 'active',
    });
  });
});
