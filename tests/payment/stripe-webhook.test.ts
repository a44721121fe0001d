import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { describe, expect, it, vi } from 'vitest';
import { getPaymentsConfig } from '@/payment/config';
import { getCurrentPlan } from '@/payment/queries';
import { balanceOf, createUser, DAY_MS, ledgerRowCounts } from '../factories';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe';
import { withFakeProvider } from '../support/provider-suite';
import {
  charge,
  checkoutSession,
  customer,
  event,
  invoice,
  nowSeconds,
  signedDelivery,
  stripeId,
  subscription,
} from '../support/stripe-events';
import {
  customerOf,
  deliver,
  deliverOk,
  expectNothingWritten,
  packMetadata,
  paymentGrants,
  paymentRow,
  planMetadata,
  postWebhook,
  stubStripeEnv,
} from '../support/stripe-setup';

// POST /api/webhooks/stripe for one-off purchases (packs, lifetime), and what every delivery must get
// right whatever it carries: the signature, the status that tells Stripe whether to retry, concurrency.

let fake: FakeStripe;
withFakeProvider(startFakeStripe, stubStripeEnv, (started) => {
  fake = started;
});

/** A paid payment-mode checkout session of this app, as checkout.session.completed carries it. */
function paidSession(userId: string, overrides: Parameters<typeof checkoutSession>[0] = {}) {
  return checkoutSession({
    amount_total: 500,
    currency: 'usd',
    metadata: packMetadata(userId),
    ...overrides,
  });
}

async function expectStatus(response: Response, status: number, error?: string): Promise<void> {
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
}

describe('checkout.session.completed in payment mode', () => {
  it('records the payment and grants the pack’s credits, expiring as the pack says', async () => {
    const userId = await createUser();
    const session = paidSession(userId);
    const before = Date.now();

    expect(await deliverOk(fake, event('checkout.session.completed', session))).toMatchObject({
      outcome: 'granted',
    });

    const paid = await paymentRow(session.id);
    expect(paid).toMatchObject({
      provider: 'stripe',
      providerPaymentId: session.id,
      providerReference: session.payment_intent,
      userId,
      type: 'credit_pack',
      scene: 'credits_starter',
      amountMinor: 500,
      currency: 'USD',
      status: 'paid',
      credits: 100,
    });
    const grants = await paymentGrants(userId);
    expect(grants).toMatchObject([{ amount: 100, sourceType: 'credit_pack', paymentId: paid?.id }]);
    const expiresAt = grants[0]?.expiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 365 * DAY_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 365 * DAY_MS);
    expect(await balanceOf(userId)).toBe(100);
  });

  it('grants the lifetime plan’s credits, never expiring, and makes the plan lifetime', async () => {
    const userId = await createUser();
    const session = paidSession(userId, {
      amount_total: 29_900,
      metadata: { app: 'saas-credits', userId, type: 'one_time', scene: 'lifetime', credits: '5000' },
    });

    expect(await deliverOk(fake, event('checkout.session.completed', session))).toMatchObject({
      outcome: 'granted',
    });

    expect(await paymentRow(session.id)).toMatchObject({
      type: 'one_time',
      scene: 'lifetime',
      amountMinor: 29_900,
      credits: 5000,
    });
    expect(await paymentGrants(userId)).toMatchObject([
      { amount: 5000, sourceType: 'lifetime', expiresAt: null },
    ]);
    expect((await getCurrentPlan(userId)).id).toBe('lifetime');
  });

  it.each([
    ['30', 30],
    ['never', null],
  ] as const)(
    'grants from the snapshot a pack that has left site.config.ts (expiring in %s days)',
    async (expiresInDays, days) => {
      const userId = await createUser();
      const session = paidSession(userId, {
        metadata: packMetadata(userId, { scene: 'credits_retired', credits: '321', expiresInDays }),
      });
      const before = Date.now();

      expect(await deliverOk(fake, event('checkout.session.completed', session))).toMatchObject({
        outcome: 'granted',
      });

      expect(await paymentRow(session.id)).toMatchObject({
        scene: 'credits_retired',
        status: 'paid',
        credits: 321,
      });
      const [grant] = await paymentGrants(userId);
      expect(grant?.amount).toBe(321);
      if (days === null) {
        expect(grant?.expiresAt).toBeNull();
      } else {
        expect(grant?.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + days * DAY_MS);
        expect(grant?.expiresAt?.getTime()).toBeLessThanOrEqual(Date.now() + days * DAY_MS);
      }
    },
  );

  it('records a purchase its snapshot cannot resolve as needing attention, granting nothing, answering 200', async () => {
    const userId = await createUser();
    // Marked as this app's, but the credits are missing and the pack is gone from the config.
    const session = paidSession(userId, {
      metadata: { app: 'saas-credits', userId, type: 'credit_pack', scene: 'credits_retired' },
    });
    vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(await deliverOk(fake, event('checkout.session.completed', session))).toMatchObject({
      outcome: 'recorded',
      detail: 'needs_attention',
    });
    expect(await paymentRow(session.id)).toMatchObject({
      status: 'needs_attention',
      credits: 0,
      amountMinor: 500,
      userId,
    });
    expect(await paymentGrants(userId)).toEqual([]);
  });

  it('grants exactly once when 50 deliveries of the same event arrive at once, answering 2xx to all', async () => {
    const userId = await createUser();
    const completed = event('checkout.session.completed', paidSession(userId));

    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(fake, completed)));

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    const outcomes = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { outcome: string }).outcome),
    );
    expect(outcomes.filter((outcome) => outcome === 'granted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(49);
    expect(await paymentGrants(userId)).toHaveLength(1);
    expect(await balanceOf(userId)).toBe(100);
    expect((await ledgerRowCounts(userId)).credit_transaction).toBe(1);
  });
});

describe('delayed payment methods', () => {
  it('record an unpaid session as pending, then grant once when async_payment_succeeded arrives', async () => {
    const userId = await createUser();
    const unpaid = paidSession(userId, { payment_status: 'unpaid' });

    expect(await deliverOk(fake, event('checkout.session.completed', unpaid))).toMatchObject({
      outcome: 'recorded',
      detail: 'pending',
    });
    expect(await paymentRow(unpaid.id)).toMatchObject({
      status: 'pending',
      credits: 100,
      providerReference: unpaid.payment_intent,
    });
    expect(await balanceOf(userId)).toBe(0);

    const succeeded = event('checkout.session.async_payment_succeeded', {
      ...unpaid,
      payment_status: 'paid',
    });
    expect(await deliverOk(fake, succeeded)).toMatchObject({ outcome: 'granted' });
    expect(await deliverOk(fake, succeeded)).toMatchObject({ outcome: 'duplicate' });

    expect(await paymentRow(unpaid.id)).toMatchObject({ status: 'paid' });
    expect(await paymentGrants(userId)).toMatchObject([{ amount: 100 }]);
    expect(await balanceOf(userId)).toBe(100);
  });

  it('mark the pending payment failed when async_payment_failed arrives, granting nothing', async () => {
    const userId = await createUser();
    const unpaid = paidSession(userId, { payment_status: 'unpaid' });
    await deliverOk(fake, event('checkout.session.completed', unpaid));

    expect(await deliverOk(fake, event('checkout.session.async_payment_failed', unpaid))).toMatchObject({
      outcome: 'recorded',
      detail: 'failed',
    });

    expect(await paymentRow(unpaid.id)).toMatchObject({ status: 'failed' });
    expect(await paymentGrants(userId)).toEqual([]);
    expect(await balanceOf(userId)).toBe(0);
  });
});

describe('deliveries that must not be trusted', () => {
  async function signedCompletion() {
    const userId = await createUser();
    const completed = event('checkout.session.completed', paidSession(userId));
    return { userId, completed, signed: signedDelivery(completed, fake.webhookSecret) };
  }

  it('a body changed by one byte is refused with 400, writing nothing', async () => {
    const { signed } = await signedCompletion();
    const tampered = signed.body.replace('"credits": "100"', '"credits": "900"');
    expect(tampered).toHaveLength(signed.body.length);
    expect(tampered).not.toBe(signed.body);
    await expectNothingWritten(async () =>
      expectStatus(await postWebhook(tampered, signed.headers), 400, 'INVALID_NOTIFICATION'),
    );
  });

  it('a signature made with another secret is refused with 400, writing nothing', async () => {
    const { completed } = await signedCompletion();
    await expectNothingWritten(async () =>
      expectStatus(
        await deliver(fake, completed, { secret: 'whsec_someone_else' }),
        400,
        'INVALID_NOTIFICATION',
      ),
    );
  });

  it('a delivery signed 301 seconds ago is refused with 400, writing nothing (300 s is the tolerance)', async () => {
    const { completed, userId } = await signedCompletion();
    await expectNothingWritten(async () =>
      expectStatus(
        await deliver(fake, completed, { timestamp: nowSeconds() - 301 }),
        400,
        'INVALID_NOTIFICATION',
      ),
    );
    // The same event, freshly signed, is accepted: the refusal above was about the timestamp.
    await deliverOk(fake, completed);
    expect(await balanceOf(userId)).toBe(100);
  });

  it('a delivery without a Stripe-Signature header is refused with 400, writing nothing', async () => {
    const { signed } = await signedCompletion();
    await expectNothingWritten(async () =>
      expectStatus(
        await postWebhook(signed.body, { 'content-type': 'application/json' }),
        400,
        'INVALID_NOTIFICATION',
      ),
    );
  });

  it('an invoice in a pre-2025 API version’s shape (no parent) is refused with 400, not acknowledged and lost', async () => {
    // A webhook endpoint left on the account's older default API version sends the subscription at the
    // top level; answering 200 "not a subscription's" would lose the period's credits for good.
    const userId = await createUser();
    const { parent, ...current } = invoice({
      parent: { subscription_details: { metadata: planMetadata(userId) } },
    });
    const legacy = {
      ...current,
      subscription: parent?.subscription_details?.subscription,
      subscription_details: { metadata: planMetadata(userId) },
    } as unknown as Stripe.Invoice;
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expectNothingWritten(async () =>
      expectStatus(
        await deliver(fake, { ...event('invoice.paid', legacy), api_version: '2024-06-20' }),
        400,
        'INVALID_NOTIFICATION',
      ),
    );
  });

  it('a signed object of this app in an unexpected shape is refused with 400, writing nothing', async () => {
    const userId = await createUser();
    const broken = { ...paidSession(userId), amount_total: -5 } as Stripe.Checkout.Session;
    await expectNothingWritten(async () =>
      expectStatus(
        await deliver(fake, event('checkout.session.completed', broken)),
        400,
        'INVALID_NOTIFICATION',
      ),
    );
  });
});

describe('a payment that cannot be matched to a user yet', () => {
  it('is answered 5xx so Stripe retries, writing nothing, and granted once the user exists', async () => {
    const userId = `user_${randomUUID()}`;
    const completed = event(
      'checkout.session.completed',
      paidSession(userId, { customer: stripeId('cus_') }),
    );
    vi.spyOn(console, 'error').mockImplementation(() => {});

    await expectNothingWritten(async () => {
      const response = await deliver(fake, completed);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.json()).toMatchObject({ error: 'UNMATCHED_PAYMENT' });
    });

    await createUser({ id: userId });
    expect(await deliverOk(fake, completed)).toMatchObject({ outcome: 'granted' });
    expect(await balanceOf(userId)).toBe(100);
  });

  it('is granted to the owner of its customer once a later event links the customer', async () => {
    const userId = await createUser();
    const customerId = stripeId('cus_');
    const subscriptionId = stripeId('sub_');
    // The subscription's metadata names a user id that is no user (an account merged away, say).
    const orphaned = event(
      'invoice.paid',
      invoice({
        customer: customerId,
        parent: {
          subscription_details: { subscription: subscriptionId, metadata: planMetadata('user_gone') },
        },
      }),
    );
    vi.spyOn(console, 'error').mockImplementation(() => {});

    await expectNothingWritten(async () => {
      const response = await deliver(fake, orphaned);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.json()).toMatchObject({ error: 'UNMATCHED_PAYMENT' });
    });
    // The subscription's checkout links the customer to the user...
    const linked = checkoutSession({
      mode: 'subscription',
      customer: customerId,
      subscription: subscriptionId,
      metadata: planMetadata(userId),
    });
    expect(await deliverOk(fake, event('checkout.session.completed', linked))).toMatchObject({
      detail: 'customer linked',
    });
    expect(await customerOf(userId)).toEqual([customerId]);
    // ...and Stripe's retry of the invoice now finds its owner.
    expect(await deliverOk(fake, orphaned)).toMatchObject({ outcome: 'granted' });
    expect(await paymentGrants(userId)).toMatchObject([{ amount: 1000, sourceType: 'subscription' }]);
    expect(await paymentRow(orphaned.data.object.id)).toMatchObject({ userId, status: 'paid' });
  });
});

describe('a subscription checkout of a user that does not exist yet', () => {
  it('is answered 5xx, writing nothing, and linked on the retry once the user exists', async () => {
    const userId = `user_${randomUUID()}`;
    const session = checkoutSession({ mode: 'subscription', metadata: planMetadata(userId) });
    vi.spyOn(console, 'error').mockImplementation(() => {});

    await expectNothingWritten(async () => {
      const response = await deliver(fake, event('checkout.session.completed', session));
      expect(response.status).toBeGreaterThanOrEqual(500);
      // The catalogue's code for "no user to attach this to yet", as for a payment, not a crash.
      expect(await response.json()).toMatchObject({ error: 'UNMATCHED_PAYMENT' });
    });

    await createUser({ id: userId });
    expect(await deliverOk(fake, event('checkout.session.completed', session))).toMatchObject({
      detail: 'customer linked',
    });
    expect(await customerOf(userId)).toEqual([session.customer]);
    expect(await getCurrentPlan(userId)).toMatchObject({ id: 'pro_monthly', status: 'active' });
  });
});

describe('events the app does not act on', () => {
  it.each([
    [
      'a payment-mode session',
      (userId: string) => event('checkout.session.completed', paidSession(userId, { metadata: { userId } })),
    ],
    [
      'a subscription-mode session',
      (userId: string) =>
        event(
          'checkout.session.completed',
          checkoutSession({ mode: 'subscription', metadata: { userId, scene: 'pro_monthly' } }),
        ),
    ],
    [
      'an invoice',
      (userId: string) =>
        event(
          'invoice.paid',
          invoice({ parent: { subscription_details: { metadata: { userId, scene: 'pro_monthly' } } } }),
        ),
    ],
    [
      'a subscription update',
      (userId: string) =>
        event('customer.subscription.updated', subscription({ metadata: { userId, scene: 'pro_monthly' } })),
    ],
    [
      'a refunded charge',
      (userId: string) =>
        event('charge.refunded', charge({ amount_refunded: 1000, metadata: { userId: `${userId}_x` } })),
    ],
  ])('%s of another product on the account (no app marker) is answered 200 and ignored', async (_, build) => {
    const userId = await createUser();
    await expectNothingWritten(async () => {
      expect(await deliverOk(fake, build(userId))).toMatchObject({ outcome: 'ignored' });
    });
    expect(await balanceOf(userId)).toBe(0);
  });

  it('an event type the app does not handle is answered 200 and ignored', async () => {
    await expectNothingWritten(async () => {
      expect(await deliverOk(fake, event('customer.created', customer()))).toMatchObject({
        outcome: 'ignored',
        reason: 'event type customer.created is not handled',
      });
    });
  });

  it('nothing is accepted while Stripe is not configured: 503, so Stripe retries later', async () => {
    vi.unstubAllEnvs();
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_URL'])
      vi.stubEnv(name, undefined);
    expect(getPaymentsConfig().stripe).toBeNull();
    const userId = await createUser();
    await expectNothingWritten(async () => {
      const response = await deliver(fake, event('checkout.session.completed', paidSession(userId)));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'STRIPE_NOT_CONFIGURED' });
    });
  });
});
