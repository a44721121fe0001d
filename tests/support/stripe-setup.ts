import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { expect, vi } from 'vitest';
import { POST as stripeWebhook } from '@/app/api/webhooks/stripe/route';
import { getSql } from '@/db';
import type { PaymentStatus } from '@/db/schema';
import type { Currency } from '@/i18n/currency';
import { type CheckoutProduct, startCheckout } from '@/payment/checkout';
import { getPaymentsConfig, type StripeConfig } from '@/payment/config';
import { ledgerRowCounts, toDate } from '../factories';
import type { FakeStripe } from './fake-stripe';
import { signedDelivery } from './stripe-events';

/**
 * Shared set-up of the Stripe tests: the app configured (through its real environment variables) with a
 * local fake Stripe API, checkouts opened through the real startCheckout and paid on the fake's hosted
 * page, and Events delivered, signed, to the real webhook route. Readers of the rows the tests assert on.
 */

export const APP_URL = 'https://app.example.test';
export const WEBHOOK_URL = 'http://localhost/api/webhooks/stripe';
export const SECRET_KEY = 'sk_test_saas_credits_suite';

/** Points the app at `fake`; getPaymentsConfig() re-reads whenever these change. */
export function stubStripeEnv(fake: FakeStripe, options: { secretKey?: string } = {}): void {
  vi.stubEnv('STRIPE_SECRET_KEY', options.secretKey ?? SECRET_KEY);
  vi.stubEnv('STRIPE_WEBHOOK_SECRET', fake.webhookSecret);
  vi.stubEnv('STRIPE_API_URL', fake.url);
}

/**
 * A slow network in front of `fake`: every API answer is held back `delayMs`, so concurrent callers all
 * ask before any of them hears back (the window a race needs, made wide and certain). Point the app at
 * it with `vi.stubEnv('STRIPE_API_URL', slow.url)`.
 */
export async function startSlowStripe(
  fake: FakeStripe,
  delayMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: fake.host,
        port: fake.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          setTimeout(
            () => outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks)),
            delayMs,
          );
        });
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The Stripe settings the app read from the stubbed environment. */
export function stripeConfig(): StripeConfig {
  const config = getPaymentsConfig().stripe;
  if (!config) throw new Error('Stripe is not configured: call stubStripeEnv first');
  return config;
}

/** POST /api/webhooks/stripe with exactly this body and these headers. */
export function postWebhook(body: string, headers: Record<string, string>): Promise<Response> {
  return stripeWebhook(new Request(WEBHOOK_URL, { method: 'POST', body, headers }));
}

/** Delivers `event` as Stripe does: serialised, signed with the endpoint secret (or `secret`), now (or at `timestamp`). */
export function deliver(
  fake: FakeStripe,
  event: Stripe.Event,
  options: { secret?: string; timestamp?: number } = {},
): Promise<Response> {
  const signed = signedDelivery(event, options.secret ?? fake.webhookSecret, {
    timestamp: options.timestamp,
  });
  return postWebhook(signed.body, signed.headers);
}

/** Delivers and expects a 2xx, answering the route's JSON (the dispatch's outcome). */
export async function deliverOk(fake: FakeStripe, event: Stripe.Event): Promise<Record<string, unknown>> {
  const response = await deliver(fake, event);
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, body }).toMatchObject({ status: 200, body: { received: true } });
  return body;
}

/** The metadata the app's checkout writes for a pack (src/payment/stripe/metadata.ts). */
export function packMetadata(userId: string, overrides: Record<string, string> = {}): Stripe.Metadata {
  return {
    app: 'saas-credits',
    userId,
    type: 'credit_pack',
    scene: 'credits_starter',
    credits: '100',
    expiresInDays: '365',
    ...overrides,
  };
}

/** The metadata the app's checkout writes for a subscription plan (session and subscription_data). */
export function planMetadata(
  userId: string,
  plan: 'pro_monthly' | 'pro_yearly' = 'pro_monthly',
): Stripe.Metadata {
  return {
    app: 'saas-credits',
    userId,
    type: 'subscription',
    scene: plan,
    credits: plan === 'pro_monthly' ? '1000' : '12000',
  };
}

/** Opens a checkout through the real startCheckout and answers the fake's session id. */
export async function openCheckout(
  fake: FakeStripe,
  userId: string,
  product: CheckoutProduct,
  currency: Currency = 'USD',
  email: string | null = null,
): Promise<string> {
  const result = await startCheckout({ userId, email, product, currency }, { appUrl: APP_URL });
  if (!result.ok) throw new Error(`checkout failed: ${result.reason}`);
  const id = new URL(result.redirectUrl).pathname.replace('/pay/', '');
  expect(result.redirectUrl).toBe(`${fake.url}/pay/${id}`);
  return id;
}

/** The Event of `type` the fake raised for an object, to deliver it (again) in a chosen order. */
export function raised<Type extends Stripe.Event.Type>(
  events: Stripe.Event[],
  type: Type,
): Extract<Stripe.Event, { type: Type }> {
  const found = events.find((item) => item.type === type);
  if (!found) throw new Error(`no ${type} among ${events.map((item) => item.type).join(', ')}`);
  return found as Extract<Stripe.Event, { type: Type }>;
}

/**
 * A pack bought and paid at the fake and its checkout.session.completed delivered: the user holds the
 * pack's credits. Answers the ids later events refer to.
 */
export async function buyPack(
  fake: FakeStripe,
  userId: string,
  packId = 'starter',
): Promise<{ sessionId: string; paymentIntentId: string; charge: Stripe.Charge }> {
  const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: packId });
  const events = await fake.complete(sessionId);
  expect(await deliverOk(fake, raised(events, 'checkout.session.completed'))).toMatchObject({
    outcome: 'granted',
  });
  const paymentIntentId = fake.checkoutSessions.get(sessionId)?.payment_intent as string;
  const charge = [...fake.charges.values()].find((item) => item.payment_intent === paymentIntentId);
  if (!charge) throw new Error(`the fake holds no charge of ${paymentIntentId}`);
  return { sessionId, paymentIntentId, charge };
}

export interface PaymentRow {
  id: number;
  provider: string;
  providerPaymentId: string;
  providerReference: string | null;
  userId: string;
  type: string;
  scene: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  credits: number;
  refundedMinor: number;
  metadata: Record<string, unknown> | null;
}

export async function paymentRow(providerPaymentId: string): Promise<PaymentRow | undefined> {
  const [row] = await getSql()<
    (Omit<PaymentRow, 'id' | 'amountMinor' | 'refundedMinor'> & Record<string, unknown>)[]
  >`
    SELECT id, provider, provider_payment_id AS "providerPaymentId", provider_reference AS "providerReference",
      user_id AS "userId", type, scene, amount_minor AS "amountMinor", currency, status, credits,
      refunded_minor AS "refundedMinor", metadata
    FROM payment WHERE provider = 'stripe' AND provider_payment_id = ${providerPaymentId}`;
  if (!row) return undefined;
  return {
    ...row,
    id: Number(row.id),
    amountMinor: Number(row.amountMinor),
    refundedMinor: Number(row.refundedMinor),
  };
}

export interface PaymentGrant {
  amount: number;
  sourceType: string;
  paymentId: number;
  expiresAt: Date | null;
}

/** The GRANTs of a user that came from payments, oldest first. */
export async function paymentGrants(userId: string): Promise<PaymentGrant[]> {
  const rows = await getSql()<
    { amount: number; sourceType: string; paymentId: string; expiresAt: unknown }[]
  >`
    SELECT amount, source_type AS "sourceType", payment_id AS "paymentId", expiration_date AS "expiresAt"
    FROM credit_transaction WHERE user_id = ${userId} AND type = 'GRANT' AND payment_id IS NOT NULL ORDER BY id`;
  return rows.map((row) => ({ ...row, paymentId: Number(row.paymentId), expiresAt: toDate(row.expiresAt) }));
}

/** The adjustments (refunds, disputes) recorded against a payment, oldest first. */
export async function adjustmentsOf(paymentId: number) {
  return getSql()<{ kind: string; status: string; creditsRequested: number; creditsTaken: number }[]>`
    SELECT kind, status, credits_requested AS "creditsRequested", credits_taken AS "creditsTaken"
    FROM payment_adjustment WHERE payment_id = ${paymentId} ORDER BY id`;
}

export async function customerOf(userId: string): Promise<string[]> {
  const rows = await getSql()<{ customerId: string }[]>`
    SELECT customer_id AS "customerId" FROM billing_customer WHERE user_id = ${userId}`;
  return rows.map((row) => row.customerId);
}

/** Everything a delivery could write: payment-side row counts and the ledger's, to compare before and after. */
export async function writtenState(): Promise<Record<string, unknown>> {
  const [row] = await getSql()<Record<string, string>[]>`
    SELECT (SELECT count(*) FROM payment) AS payments,
           (SELECT count(*) FROM payment_adjustment) AS adjustments,
           (SELECT count(*) FROM billing_customer) AS customers,
           (SELECT count(*) FROM subscription) AS subscriptions,
           (SELECT coalesce(max(updated_at)::text, '') FROM payment) AS "paymentsUpdatedAt",
           (SELECT coalesce(max(updated_at)::text, '') FROM subscription) AS "subscriptionsUpdatedAt"`;
  return { ...row, ledger: await ledgerRowCounts() };
}

/** Runs `act` and asserts it wrote nothing anywhere. */
export async function expectNothingWritten(act: () => Promise<unknown>): Promise<void> {
  const before = await writtenState();
  await act();
  expect(await writtenState()).toEqual(before);
}
