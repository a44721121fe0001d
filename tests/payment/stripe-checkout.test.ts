import { siteConfig } from '@site-config';
import { describe, expect, it, vi } from 'vitest';
import { GET as receipt } from '@/app/api/billing/receipts/[paymentId]/route';
import { getSql } from '@/db';
import { startCheckout } from '@/payment/checkout';
import { handlePaymentEvent } from '@/payment/handlers/core';
import { createPortalSession } from '@/payment/stripe/checkout';
import { confirmCheckoutReturn } from '@/payment/stripe/confirm';
import { balanceOf, createUser } from '../factories';
import { signUp, withCookie } from '../http';
import { type FakeStripe, type FormObject, startFakeStripe } from '../support/fake-stripe';
import { withFakeProvider } from '../support/provider-suite';
import {
  APP_URL,
  buyPack,
  customerOf,
  deliverOk,
  expectNothingWritten,
  openCheckout,
  paymentGrants,
  paymentRow,
  raised,
  startSlowStripe,
  stripeConfig,
  stubStripeEnv,
} from '../support/stripe-setup';

// Opening a checkout: what the app asks Stripe for, one Customer per user, the Customer Portal, the
// receipt links, and fulfilling a checkout when the buyer returns before the webhook.

let fake: FakeStripe;
withFakeProvider(startFakeStripe, stubStripeEnv, (started) => {
  fake = started;
});

const starter = siteConfig.credits.packs.find((pack) => pack.id === 'starter');
if (!starter) throw new Error('the tests expect a "starter" pack in site.config.ts');
const { plans } = siteConfig.credits;

/** The decoded body of the fake's checkout session request for `sessionId`. */
function sessionRequest(sessionId: string): FormObject {
  const session = fake.checkoutSessions.get(sessionId);
  const requests = fake.requestsTo('POST', '/v1/checkout/sessions');
  const index = [...fake.checkoutSessions.keys()].indexOf(sessionId);
  // Sessions are created in request order, and every request of these tests succeeds.
  const body = requests.filter((request) => request.body.success_url !== undefined)[index]?.body;
  if (!session || !body) throw new Error(`no recorded request for ${sessionId}`);
  return body;
}

function customerRequests(userId: string) {
  return fake
    .requestsTo('POST', '/v1/customers')
    .filter((request) => (request.body.metadata as FormObject | undefined)?.userId === userId);
}

describe('Stripe Checkout', () => {
  it('sells a pack in payment mode at the configured price, with the snapshot and the return URLs', async () => {
    const userId = await createUser();
    const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'starter' });

    const snapshot = {
      app: 'saas-credits',
      userId,
      type: 'credit_pack',
      scene: 'credits_starter',
      credits: String(starter.credits),
      expiresInDays: String(starter.expiresInDays),
    };
    const body = sessionRequest(sessionId);
    expect(body).toEqual({
      mode: 'payment',
      customer: (await customerOf(userId))[0],
      client_reference_id: userId,
      line_items: [
        {
          quantity: '1',
          price_data: {
            currency: 'usd',
            unit_amount: String(starter.price.USD),
            product_data: { name: `${starter.credits} credits` },
          },
        },
      ],
      metadata: snapshot,
      payment_intent_data: { metadata: snapshot },
      success_url: `${APP_URL}/settings/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${APP_URL}/settings/credits?checkout=cancelled`,
    });
    expect(fake.checkoutSessions.get(sessionId)).toMatchObject({
      amount_total: starter.price.USD,
      currency: 'usd',
    });
  });

  it('snapshots a pack that never expires as expiresInDays "never"', async () => {
    const userId = await createUser();
    const pro = siteConfig.credits.packs.find((pack) => pack.id === 'pro');
    expect(pro?.expiresInDays).toBeNull();
    const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'pro' });
    expect(sessionRequest(sessionId).metadata).toMatchObject({
      scene: 'credits_pro',
      credits: String(pro?.credits),
      expiresInDays: 'never',
    });
  });

  it('names the Stripe Price when STRIPE_PRICE_<PRODUCT>_<CURRENCY> is set, instead of inline price data', async () => {
    fake.addPrice({
      id: 'price_starter_usd',
      unit_amount: starter.price.USD,
      currency: 'usd',
      productName: 'Starter',
    });
    vi.stubEnv('STRIPE_PRICE_CREDITS_STARTER_USD', 'price_starter_usd');
    const userId = await createUser();

    const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'starter' });
    const cnySessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'starter' }, 'CNY');

    expect(sessionRequest(sessionId).line_items).toEqual([{ price: 'price_starter_usd', quantity: '1' }]);
    // Only the configured product and currency uses the Price; CNY is still priced from site.config.ts.
    expect(sessionRequest(cnySessionId).line_items).toEqual([
      {
        quantity: '1',
        price_data: {
          currency: 'cny',
          unit_amount: String(starter.price.CNY),
          product_data: expect.any(Object),
        },
      },
    ]);
  });

  it.each([
    ['pro_monthly', 'USD', 'month'],
    ['pro_yearly', 'CNY', 'year'],
  ] as const)(
    'sells %s in %s in subscription mode, recurring every %s, snapshot on the subscription',
    async (plan, currency, interval) => {
      const userId = await createUser();
      const sessionId = await openCheckout(fake, userId, { kind: 'plan', id: plan }, currency);

      const snapshot = {
        app: 'saas-credits',
        userId,
        type: 'subscription',
        scene: plan,
        credits: String(plans[plan].creditsPerPeriod),
      };
      const body = sessionRequest(sessionId);
      expect(body).toMatchObject({
        mode: 'subscription',
        line_items: [
          {
            quantity: '1',
            price_data: {
              currency: currency.toLowerCase(),
              unit_amount: String(plans[plan].price[currency]),
              recurring: { interval },
            },
          },
        ],
        metadata: snapshot,
        subscription_data: { metadata: snapshot },
      });
      expect(body.payment_intent_data).toBeUndefined();
    },
  );

  it('sells the lifetime plan in payment mode, the snapshot on the payment intent', async () => {
    const userId = await createUser();
    const sessionId = await openCheckout(fake, userId, { kind: 'plan', id: 'lifetime' });

    const snapshot = {
      app: 'saas-credits',
      userId,
      type: 'one_time',
      scene: 'lifetime',
      credits: String(plans.lifetime.credits),
    };
    const body = sessionRequest(sessionId);
    expect(body).toMatchObject({
      mode: 'payment',
      line_items: [
        { quantity: '1', price_data: { currency: 'usd', unit_amount: String(plans.lifetime.price.USD) } },
      ],
      metadata: snapshot,
      payment_intent_data: { metadata: snapshot },
    });
    expect(body.subscription_data).toBeUndefined();
    expect((body.line_items as FormObject[])[0]?.price_data).not.toHaveProperty('recurring');
  });
});

describe('one Stripe Customer per user', () => {
  it('is created at the first checkout, with the user id and email, and reused by the next', async () => {
    const userId = await createUser();
    const first = await startCheckout(
      { userId, email: 'buyer@example.test', product: { kind: 'pack', id: 'starter' }, currency: 'USD' },
      { appUrl: APP_URL },
    );
    expect(first.ok).toBe(true);
    const customers = await customerOf(userId);
    expect(customers).toHaveLength(1);
    const customerId = customers[0] as string;

    const second = await openCheckout(
      fake,
      userId,
      { kind: 'plan', id: 'pro_monthly' },
      'USD',
      'buyer@example.test',
    );

    expect(customerRequests(userId)).toHaveLength(1);
    expect(customerRequests(userId)[0]?.body).toEqual({
      email: 'buyer@example.test',
      metadata: { app: 'saas-credits', userId },
    });
    expect(fake.customers.get(customerId)).toMatchObject({
      email: 'buyer@example.test',
      metadata: { userId },
    });
    expect(sessionRequest(second).customer).toBe(customerId);
    expect(await customerOf(userId)).toEqual([customerId]);
  });

  it('is one customer, recorded once, when five first checkouts race', async () => {
    const userId = await createUser();
    // Stripe answers slowly, so all five ask for a customer before any has one recorded.
    const slow = await startSlowStripe(fake, 150);
    vi.stubEnv('STRIPE_API_URL', slow.url);

    const sessionIds = await Promise.all(
      Array.from({ length: 5 }, () => openCheckout(fake, userId, { kind: 'pack', id: 'starter' })),
    ).finally(() => slow.close());

    expect(customerRequests(userId)).toHaveLength(5);

    const atStripe = [...fake.customers.values()].filter((customer) => customer.metadata.userId === userId);
    expect(atStripe).toHaveLength(1);
    const recorded = await customerOf(userId);
    expect(recorded).toEqual([atStripe[0]?.id]);
    expect(new Set(sessionIds.map((id) => fake.checkoutSessions.get(id)?.customer))).toEqual(
      new Set(recorded),
    );
  });

  it('answers PROVIDER_UNAVAILABLE when Stripe refuses the key, writing nothing', async () => {
    const strict = await startFakeStripe({ apiKey: 'sk_test_the_right_key' });
    try {
      stubStripeEnv(strict, { secretKey: 'sk_test_a_revoked_key' });
      const userId = await createUser();
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      await expectNothingWritten(async () => {
        const result = await startCheckout(
          { userId, product: { kind: 'pack', id: 'starter' }, currency: 'USD' },
          { appUrl: APP_URL },
        );
        expect(result).toEqual({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
      });
      expect(errors).toHaveBeenCalledOnce();
      expect(strict.requestsTo('POST', '/v1/customers')).toHaveLength(1);
      expect(strict.customers.size).toBe(0);
      expect(strict.checkoutSessions.size).toBe(0);
    } finally {
      vi.restoreAllMocks();
      await strict.close();
    }
  });
});

describe('Customer Portal', () => {
  it('opens a portal session for the user’s customer, returning to the given URL', async () => {
    const userId = await createUser();
    await openCheckout(fake, userId, { kind: 'pack', id: 'starter' });
    const [customerId] = await customerOf(userId);

    const url = await createPortalSession(stripeConfig(), userId, `${APP_URL}/settings/billing`);

    const request = fake.requestsTo('POST', '/v1/billing_portal/sessions').at(-1);
    expect(request?.body).toEqual({ customer: customerId, return_url: `${APP_URL}/settings/billing` });
    const portal = [...fake.portalSessions.values()].at(-1);
    expect(url).toBe(portal?.url);
    expect(url).toMatch(new RegExp(`^${fake.url}/portal/bps_`));
  });

  it('is null for a user without a customer, without asking Stripe', async () => {
    const userId = await createUser();
    const before = fake.requestsTo('POST', '/v1/billing_portal/sessions').length;
    expect(await createPortalSession(stripeConfig(), userId, `${APP_URL}/settings/billing`)).toBeNull();
    expect(fake.requestsTo('POST', '/v1/billing_portal/sessions')).toHaveLength(before);
  });
});

describe('GET /api/billing/receipts/:paymentId', () => {
  /** A paid WeChat Pay payment of the user, through the same dispatch the WeChat webhook uses. */
  async function paidWechatPayment(userId: string): Promise<number> {
    const outcome = await handlePaymentEvent({
      kind: 'payment.succeeded',
      provider: 'wechat',
      providerPaymentId: `wx_order_${userId.slice(-12)}`,
      providerReference: `4200000000${Date.now()}`,
      order: {
        kind: 'snapshot',
        payer: { userId, customerId: null },
        purchase: { type: 'credit_pack', scene: 'credits_starter', credits: 100 },
      },
      amountMinor: 3500,
      currency: 'CNY',
    });
    if (outcome.outcome !== 'granted') throw new Error(`the WeChat payment was ${outcome.outcome}`);
    return outcome.paymentId;
  }

  function getReceipt(paymentId: number, cookie?: string): Promise<Response> {
    const headers = cookie ? withCookie(cookie) : new Headers();
    return receipt(new Request(`${APP_URL}/api/billing/receipts/${paymentId}`, { headers }), {
      params: Promise.resolve({ paymentId: String(paymentId) }),
    });
  }

  it('redirects the owner of a pack payment to the charge’s receipt, found through its payment intent', async () => {
    const buyer = await signUp();
    const { sessionId, charge } = await buyPack(fake, buyer.userId);
    const paid = await paymentRow(sessionId);

    const response = await getReceipt(paid?.id ?? 0, buyer.cookie);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(charge.receipt_url);
    expect(charge.receipt_url).toBe(`${fake.url}/receipts/${charge.id}`);
  });

  it('redirects the owner of a subscription payment to the invoice', async () => {
    const buyer = await signUp();
    const sessionId = await openCheckout(fake, buyer.userId, { kind: 'plan', id: 'pro_monthly' });
    const events = await fake.complete(sessionId);
    for (const item of events) await deliverOk(fake, item);
    const invoice = raised(events, 'invoice.paid').data.object;
    const paid = await paymentRow(invoice.id);

    const response = await getReceipt(paid?.id ?? 0, buyer.cookie);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(invoice.hosted_invoice_url);
    expect(invoice.hosted_invoice_url).toBe(`${fake.url}/invoices/${invoice.id}`);
  });

  it('answers 404 for another user’s payment and for a WeChat payment, 401 without a session', async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const { sessionId } = await buyPack(fake, owner.userId);
    const paid = await paymentRow(sessionId);
    const wechat = await paidWechatPayment(stranger.userId);

    const others = await getReceipt(paid?.id ?? 0, stranger.cookie);
    expect(others.status).toBe(404);
    expect(others.headers.get('location')).toBeNull();
    expect((await getReceipt(wechat, stranger.cookie)).status).toBe(404);
    expect((await getReceipt(paid?.id ?? 0)).status).toBe(401);
    // The owner does get it: the 404s above are about who asks, not a broken payment.
    expect((await getReceipt(paid?.id ?? 0, owner.cookie)).status).toBe(303);
  });
});

describe('confirmCheckoutReturn', () => {
  it('grants a paid pack when the buyer returns before any webhook, once; the webhook is then a duplicate', async () => {
    const userId = await createUser();
    const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'starter' });
    const paying = await fetch(`${fake.url}/pay/${sessionId}`, { method: 'POST', redirect: 'manual' });
    expect(paying.status).toBe(303);
    expect(paying.headers.get('location')).toBe(
      `${APP_URL}/settings/credits?checkout=success&session_id=${sessionId}`,
    );

    expect(await confirmCheckoutReturn(stripeConfig(), userId, sessionId)).toEqual({
      status: 'paid',
      credits: 100,
    });
    expect(await confirmCheckoutReturn(stripeConfig(), userId, sessionId)).toEqual({
      status: 'paid',
      credits: 100,
    });
    expect(await balanceOf(userId)).toBe(100);

    const completed = fake.events.find(
      (item) => item.type === 'checkout.session.completed' && item.data.object.id === sessionId,
    );
    if (!completed) throw new Error('the fake raised no checkout.session.completed');
    expect(await deliverOk(fake, completed)).toMatchObject({ outcome: 'duplicate' });
    expect(await balanceOf(userId)).toBe(100);
    expect(await paymentGrants(userId)).toHaveLength(1);
    expect(await paymentRow(sessionId)).toMatchObject({
      status: 'paid',
      providerReference: fake.checkoutSessions.get(sessionId)?.payment_intent,
    });
  });

  it('answers unknown for another user’s session and grants nothing to anyone', async () => {
    const buyer = await createUser();
    const other = await createUser();
    const sessionId = await openCheckout(fake, buyer, { kind: 'pack', id: 'starter' });
    await fake.complete(sessionId);

    await expectNothingWritten(async () => {
      expect(await confirmCheckoutReturn(stripeConfig(), other, sessionId)).toEqual({ status: 'unknown' });
    });
    expect(await paymentRow(sessionId)).toBeUndefined();
    expect([await balanceOf(buyer), await balanceOf(other)]).toEqual([0, 0]);
  });

  it('says processing for a subscription until its invoice is paid, and unknown for a malformed id', async () => {
    const userId = await createUser();
    const sessionId = await openCheckout(fake, userId, { kind: 'plan', id: 'pro_monthly' });
    await fake.complete(sessionId);
    const before = fake.requestsTo('GET', '/v1/checkout/sessions/').length;

    expect(await confirmCheckoutReturn(stripeConfig(), userId, sessionId)).toEqual({ status: 'processing' });
    expect(await balanceOf(userId)).toBe(0);
    expect(await confirmCheckoutReturn(stripeConfig(), userId, '../v1/customers')).toEqual({
      status: 'unknown',
    });
    expect(fake.requestsTo('GET', '/v1/checkout/sessions/')).toHaveLength(before + 1);
    const [row] = await getSql()`SELECT count(*)::int AS count FROM payment WHERE user_id = ${userId}`;
    expect(row?.count).toBe(0);
  });
});
