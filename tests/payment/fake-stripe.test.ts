import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeStripeForm, type FakeStripe, startFakeStripe } from '../support/fake-stripe';
import {
  charge,
  checkoutSession,
  dispute,
  event,
  invoice,
  nowSeconds,
  signedDelivery,
  subscription,
} from '../support/stripe-events';

// The fake Stripe API is only useful if it behaves like Stripe where the app depends on it, so these tests
// drive it with the real SDK, and check the webhook fixtures with the SDK's own signature verification.

type Received = { body: string; headers: IncomingHttpHeaders };

/** A webhook endpoint that records what it receives and answers 200. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/stripe`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sdk(fake: FakeStripe, key = 'sk_test_fake_key'): Stripe {
  return new Stripe(key, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
}

const verifier = new Stripe('sk_test_verifier');
const WEBHOOK_SECRET = 'whsec_fake_stripe_test_secret';

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startReceiver();
  fake = await startFakeStripe({ webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET });
  stripe = sdk(fake);
  fake.addPrice({
    id: 'price_pro_monthly_usd',
    unit_amount: 990,
    currency: 'usd',
    recurring: { interval: 'month' },
    productName: 'Pro monthly',
  });
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

afterEach(() => {
  receiver.received.length = 0;
});

function creditPackSession(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    mode: 'payment',
    client_reference_id: 'u1',
    line_items: [
      {
        quantity: 1,
        price_data: { currency: 'usd', unit_amount: 1900, product_data: { name: 'Starter credits' } },
      },
    ],
    metadata: {
      app: 'saas-credits',
      userId: 'u1',
      scene: 'credits_starter',
      type: 'credit_pack',
      credits: '100',
    },
    payment_intent_data: { metadata: { userId: 'u1', scene: 'credits_starter' } },
    success_url: 'http://localhost:3000/billing?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://localhost:3000/pricing',
    ...overrides,
  });
}

function proSession() {
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: 'price_pro_monthly_usd', quantity: 1 }],
    metadata: { userId: 'u2', scene: 'pro_monthly', type: 'subscription' },
    subscription_data: {
      metadata: { app: 'saas-credits', userId: 'u2', scene: 'pro_monthly', type: 'subscription' },
    },
    success_url: 'http://localhost:3000/billing?session_id={CHECKOUT_SESSION_ID}',
  });
}

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Stripe.errors.StripeError))
    throw new Error(`expected a StripeError, got ${String(outcome)}`);
  return outcome;
}

describe('decodeStripeForm', () => {
  it('nests bracket keys and turns index-keyed objects into arrays, leaving leaves as strings', () => {
    const decoded = decodeStripeForm(
      'metadata[userId]=u1&line_items[0][price_data][currency]=usd&line_items[0][quantity]=2' +
        '&line_items[1][price]=price_x&expand[0]=latest_charge&expand[1]=customer&name=A%20B&tags[]=a&tags[]=b',
    );
    expect(decoded).toEqual({
      metadata: { userId: 'u1' },
      line_items: [{ price_data: { currency: 'usd' }, quantity: '2' }, { price: 'price_x' }],
      expand: ['latest_charge', 'customer'],
      name: 'A B',
      tags: ['a', 'b'],
    });
  });

  it('rejects a key used both as a value and as an object, and prototype keys', () => {
    expect(() => decodeStripeForm('a=1&a[b]=2')).toThrow(/Invalid parameter/);
    expect(() => decodeStripeForm('metadata[__proto__][x]=1')).toThrow(/Invalid parameter name/);
  });
});

describe('fake Stripe API through the real SDK', () => {
  it('answers the same customer for a repeated idempotency key, and a new one for a new key', async () => {
    const first = await stripe.customers.create(
      { email: 'a@example.com', metadata: { userId: 'u1' } },
      { idempotencyKey: 'customer:u1' },
    );
    const again = await stripe.customers.create(
      { email: 'a@example.com', metadata: { userId: 'u1' } },
      { idempotencyKey: 'customer:u1' },
    );
    const other = await stripe.customers.create({ email: 'a@example.com', metadata: { userId: 'u1' } });

    expect(first.id).toMatch(/^cus_\w+$/);
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(first).toMatchObject({ object: 'customer', email: 'a@example.com', metadata: { userId: 'u1' } });
    expect((await stripe.customers.retrieve(first.id)).id).toBe(first.id);
    expect(fake.customers.size).toBeGreaterThanOrEqual(2);
    const created = fake
      .requestsTo('POST', '/v1/customers')
      .filter((r) => r.headers['idempotency-key'] === 'customer:u1');
    expect(created).toHaveLength(2);
    expect(created[0]?.body).toEqual({ email: 'a@example.com', metadata: { userId: 'u1' } });
  });

  it('refuses a reused idempotency key with different parameters, as Stripe does', async () => {
    await stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'customer:reused' });
    const error = await rejection(
      stripe.customers.create({ email: 'c@example.com' }, { idempotencyKey: 'customer:reused' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('answers 404 resource_missing for an unknown customer', async () => {
    const error = await rejection(stripe.customers.retrieve('cus_missing'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
  });

  it('creates a payment-mode checkout session from price_data and records the decoded nested body', async () => {
    const session = await creditPackSession();

    expect(session.id).toMatch(/^cs_test_\w+$/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 1900,
      currency: 'usd',
      client_reference_id: 'u1',
      payment_intent: null,
      subscription: null,
      url: `${fake.url}/pay/${session.id}`,
      success_url: 'http://localhost:3000/billing?session_id={CHECKOUT_SESSION_ID}',
      metadata: { userId: 'u1', scene: 'credits_starter', type: 'credit_pack', credits: '100' },
    });
    const request = fake.requestsTo('POST', '/v1/checkout/sessions').at(-1);
    expect(request?.body).toMatchObject({
      mode: 'payment',
      metadata: { userId: 'u1', credits: '100' },
      line_items: [
        {
          quantity: '1',
          price_data: { currency: 'usd', unit_amount: '1900', product_data: { name: 'Starter credits' } },
        },
      ],
      payment_intent_data: { metadata: { userId: 'u1', scene: 'credits_starter' } },
    });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('creates a subscription-mode session from a registered price and keeps subscription_data.metadata', async () => {
    const session = await proSession();

    expect(session).toMatchObject({
      mode: 'subscription',
      amount_total: 990,
      currency: 'usd',
      url: `${fake.url}/pay/${session.id}`,
    });
    expect(fake.requestsTo('POST', '/v1/checkout/sessions').at(-1)?.body).toMatchObject({
      line_items: [{ price: 'price_pro_monthly_usd', quantity: '1' }],
      subscription_data: { metadata: { userId: 'u2', scene: 'pro_monthly', type: 'subscription' } },
    });
  });

  it('rejects invalid sessions with Stripe errors naming the parameter', async () => {
    const badMode = await rejection(
      creditPackSession({ mode: 'bogus' as Stripe.Checkout.SessionCreateParams.Mode }),
    );
    expect(badMode).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(badMode.param).toBe('mode');
    expect((await rejection(creditPackSession({ line_items: [] }))).param).toBe('line_items');
    expect((await rejection(creditPackSession({ success_url: undefined }))).param).toBe('success_url');
    const recurringInPayment = await rejection(
      creditPackSession({ line_items: [{ price: 'price_pro_monthly_usd', quantity: 1 }] }),
    );
    expect(recurringInPayment.message).toMatch(/recurring price/);
    const unknownPrice = await rejection(
      creditPackSession({ line_items: [{ price: 'price_nope', quantity: 1 }] }),
    );
    expect(unknownPrice.code).toBe('resource_missing');
  });

  it('rejects a wrong secret key with StripeAuthenticationError', async () => {
    const live = await rejection(
      sdk(fake, 'sk_live_not_for_tests').customers.create({ email: 'x@example.com' }),
    );
    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(live.statusCode).toBe(401);

    const strict = await startFakeStripe({ apiKey: 'sk_test_expected' });
    try {
      const wrong = await rejection(
        sdk(strict, 'sk_test_other').customers.create({ email: 'x@example.com' }),
      );
      expect(wrong).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect((await sdk(strict, 'sk_test_expected').customers.create({ email: 'x@example.com' })).id).toMatch(
        /^cus_/,
      );
      const anonymous = await fetch(`${strict.url}/v1/customers`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.any(String) },
      });
    } finally {
      await strict.close();
    }
  });

  it('creates billing portal sessions for known customers only', async () => {
    const customer = await stripe.customers.create({ email: 'portal@example.com' });
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://localhost:3000/billing',
    });
    expect(portal).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      return_url: 'http://localhost:3000/billing',
      url: `${fake.url}/portal/${portal.id}`,
    });
    expect(portal.id).toMatch(/^bps_/);
    const page = await fetch(portal.url);
    expect(await page.text()).toContain('http://localhost:3000/billing');

    const missing = await rejection(stripe.billingPortal.sessions.create({ customer: 'cus_missing' }));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing.param).toBe('customer');
  });
});

describe('hosted checkout and webhook delivery', () => {
  it('serves a checkout page with the amount, a Pay form and a Cancel link', async () => {
    const session = await creditPackSession();
    const page = await (await fetch(session.url as string)).text();
    expect(page).toContain('Fake Stripe Checkout');
    expect(page).toContain('$19.00');
    expect(page).toContain(`<form method="post" action="/pay/${session.id}">`);
    expect(page).toContain('>Pay</button>');
    expect(page).toContain('<a href="http://localhost:3000/pricing">Cancel</a>');
  });

  it('paying delivers a signed checkout.session.completed and redirects with the session id substituted', async () => {
    const session = await creditPackSession();
    const deliveriesBefore = fake.deliveries.length;

    const response = await fetch(`${fake.url}/pay/${session.id}`, { method: 'POST', redirect: 'manual' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`http://localhost:3000/billing?session_id=${session.id}`);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    const header = delivery?.headers['stripe-signature'] as string;
    const verified = verifier.webhooks.constructEvent(delivery?.body as string, header, WEBHOOK_SECRET);
    expect(verified.type).toBe('checkout.session.completed');
    expect(verified).toMatchObject({ object: 'event', api_version: Stripe.API_VERSION, livemode: false });
    const paid = verified.data.object as Stripe.Checkout.Session;
    expect(paid).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'paid',
      metadata: session.metadata,
    });
    expect(paid.payment_intent).toMatch(/^pi_/);
    expect(() => verifier.webhooks.constructEvent(delivery?.body as string, header, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(fake.deliveries.slice(deliveriesBefore)).toMatchObject([
      { type: 'checkout.session.completed', status: 200 },
    ]);

    const intent = await stripe.paymentIntents.retrieve(paid.payment_intent as string, {
      expand: ['latest_charge'],
    });
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 1900,
      metadata: { userId: 'u1', scene: 'credits_starter' },
    });
    const latestCharge = intent.latest_charge as Stripe.Charge;
    expect(latestCharge.id).toMatch(/^ch_/);
    expect(latestCharge.receipt_url).toBe(`${fake.url}/receipts/${latestCharge.id}`);
    expect(latestCharge.payment_intent).toBe(intent.id);

    const again = await fetch(`${fake.url}/pay/${session.id}`, { method: 'POST', redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(receiver.received).toHaveLength(1);
  });

  it('completing a subscription delivers session, subscription and paid invoice, linked like Stripe links them', async () => {
    const session = await proSession();

    const events = await fake.complete(session.id);

    expect(events.map((item) => item.type)).toEqual([
      'checkout.session.completed',
      'customer.subscription.created',
      'invoice.paid',
    ]);
    const delivered = receiver.received.map((item) =>
      verifier.webhooks.constructEvent(item.body, item.headers['stripe-signature'] as string, WEBHOOK_SECRET),
    );
    expect(delivered.map((item) => item.id)).toEqual(events.map((item) => item.id));
    const [completed, created, paid] = delivered.map((item) => item.data.object) as [
      Stripe.Checkout.Session,
      Stripe.Subscription,
      Stripe.Invoice,
    ];
    const metadata = { app: 'saas-credits', userId: 'u2', scene: 'pro_monthly', type: 'subscription' };
    expect(completed).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      subscription: created.id,
      invoice: paid.id,
    });
    expect(completed.customer).toMatch(/^cus_/);
    expect(created).toMatchObject({
      status: 'active',
      customer: completed.customer,
      metadata,
      latest_invoice: paid.id,
    });
    const item = created.items.data[0];
    expect(item?.price.id).toBe('price_pro_monthly_usd');
    expect(item?.current_period_end).toBeGreaterThan(item?.current_period_start ?? Number.POSITIVE_INFINITY);
    expect(paid).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_paid: 990,
      currency: 'usd',
      customer: completed.customer,
      parent: { type: 'subscription_details', subscription_details: { subscription: created.id, metadata } },
    });
    expect(paid.lines.data[0]?.period).toEqual({
      start: item?.current_period_start,
      end: item?.current_period_end,
    });
    expect(paid.lines.data[0]?.parent?.subscription_item_details?.subscription_item).toBe(item?.id);

    const payments = await stripe.invoicePayments.list({ invoice: paid.id });
    expect(payments).toMatchObject({ object: 'list', has_more: false, url: '/v1/invoice_payments' });
    expect(payments.data).toHaveLength(1);
    const [payment] = payments.data;
    expect(payment).toMatchObject({
      object: 'invoice_payment',
      invoice: paid.id,
      is_default: true,
      status: 'paid',
      amount_paid: 990,
    });
    expect(payment?.id).toMatch(/^inpay_/);
    const intent = await stripe.paymentIntents.retrieve(payment?.payment.payment_intent as string);
    expect(intent.customer).toBe(completed.customer);
    expect((await stripe.invoicePayments.list({ invoice: 'in_unrelated' })).data).toEqual([]);
    expect((await stripe.checkout.sessions.retrieve(session.id)).subscription).toBe(created.id);
  });
});

describe('Stripe event fixtures', () => {
  it('signedDelivery verifies with the SDK and a delivery older than the default tolerance is rejected', () => {
    const completed = event('checkout.session.completed', checkoutSession({ metadata: { userId: 'u1' } }));
    const fresh = signedDelivery(completed, WEBHOOK_SECRET);
    const verified = verifier.webhooks.constructEvent(
      fresh.body,
      fresh.headers['stripe-signature'],
      WEBHOOK_SECRET,
    );
    expect(verified.id).toBe(completed.id);
    expect(fresh.headers['content-type']).toBe('application/json');

    const recent = signedDelivery(completed, WEBHOOK_SECRET, { timestamp: nowSeconds() - 290 });
    expect(() =>
      verifier.webhooks.constructEvent(recent.body, recent.headers['stripe-signature'], WEBHOOK_SECRET),
    ).not.toThrow();
    const stale = signedDelivery(completed, WEBHOOK_SECRET, { timestamp: nowSeconds() - 301 });
    expect(() =>
      verifier.webhooks.constructEvent(stale.body, stale.headers['stripe-signature'], WEBHOOK_SECRET),
    ).toThrow(/Timestamp outside the tolerance zone/);
    const tampered = fresh.body.replace('"u1"', '"u2"');
    expect(() =>
      verifier.webhooks.constructEvent(tampered, fresh.headers['stripe-signature'], WEBHOOK_SECRET),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('builders deep-merge overrides over complete defaults and keep cross-references consistent', () => {
    const session = checkoutSession({
      metadata: { userId: 'u1', scene: 'credits_starter', type: 'credit_pack', credits: '100' },
    });
    expect(session).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      mode: 'payment',
      metadata: { credits: '100' },
    });
    expect(session.payment_intent).toMatch(/^pi_/);
    expect(session.id).toMatch(/^cs_test_/);

    const bill = invoice({
      amount_paid: 2900,
      parent: { subscription_details: { subscription: 'sub_1', metadata: { userId: 'u1' } } },
    });
    expect(bill.parent).toEqual({
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { subscription: 'sub_1', metadata: { userId: 'u1' } },
    });
    expect(bill.lines.data[0]).toMatchObject({
      amount: 2900,
      subscription: 'sub_1',
      metadata: { userId: 'u1' },
    });
    expect(bill.lines.data[0]?.parent?.subscription_item_details?.subscription).toBe('sub_1');
    expect(bill).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_due: 2900,
      total: 2900,
    });
    const moved = invoice({ lines: { data: [{ period: { start: 100, end: 200 } }] } });
    expect(moved.lines.data[0]).toMatchObject({ period: { start: 100, end: 200 }, object: 'line_item' });

    const renewing = subscription({ id: 'sub_2', cancel_at_period_end: true, metadata: { userId: 'u1' } });
    expect(renewing.items.data[0]?.subscription).toBe('sub_2');
    expect(renewing).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      metadata: { userId: 'u1' },
    });

    expect(charge({ amount: 1000, amount_refunded: 400 })).toMatchObject({
      refunded: false,
      amount_captured: 1000,
    });
    expect(charge({ amount: 1000, amount_refunded: 1000 }).refunded).toBe(true);
    expect(dispute({ status: 'won', charge: 'ch_1' })).toMatchObject({
      status: 'won',
      charge: 'ch_1',
      object: 'dispute',
    });

    const paid = event('invoice.paid', bill, { created: 1_700_000_000, id: 'evt_fixed' });
    expect(paid).toMatchObject({
      id: 'evt_fixed',
      created: 1_700_000_000,
      type: 'invoice.paid',
      pending_webhooks: 1,
    });
    expect(paid.data.object.id).toBe(bill.id);
  });
});
