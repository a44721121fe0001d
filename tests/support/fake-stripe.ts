/**
 * A local fake of the Stripe API for server tests and end-to-end runs (stripe-mock cannot be installed and
 * nothing here reaches Stripe). The app's real SDK talks to it (`new Stripe(key, { host: '127.0.0.1', port,
 * protocol: 'http' })`): it checks the secret key, decodes Stripe's bracket-nested form bodies, replays
 * idempotent POSTs, answers with objects of the SDK's API version (built by ./stripe-events, typed with the SDK's
 * types) and errors in Stripe's shape. A hosted checkout page completes sessions the way a paying customer does,
 * then delivers the resulting webhook Events signed with the endpoint secret, in order, once each (no retries:
 * tests assert on `deliveries`), and redirects to success_url with {CHECKOUT_SESSION_ID} substituted.
 *
 * API: POST /v1/customers, GET /v1/customers/:id, POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id,
 * POST /v1/billing_portal/sessions, GET /v1/invoice_payments, GET /v1/{payment_intents,charges,invoices,
 * subscriptions,prices,events}/:id; `expand[]` of id fields along any path. Pages: /pay/:id (GET form, POST pay),
 * /portal/:id, /receipts/:id, /invoices/:id. Anything else is Stripe's 404.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import {
  charge as chargeObject,
  checkoutSession as checkoutSessionObject,
  customer as customerObject,
  event as eventObject,
  invoice as invoiceObject,
  invoicePayment as invoicePaymentObject,
  nowSeconds,
  paymentIntent as paymentIntentObject,
  periodEnd,
  planOf,
  price as priceObject,
  type RecurringInterval,
  stripeId,
  stripeSignature,
  subscription as subscriptionObject,
} from './stripe-events';

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export interface FakeStripeOptions {
  /** Where completed checkouts deliver their Events; nothing is delivered when absent. */
  webhookUrl?: string;
  /** The endpoint's signing secret (default: a fresh `whsec_…`, exposed as `webhookSecret`). */
  webhookSecret?: string;
  /** Accept only this secret key; by default any test-mode key (`sk_test_…`, `rk_test_…`) is accepted. */
  apiKey?: string;
}

export interface FakeStripeRequest {
  method: string;
  path: string;
  query: FormObject;
  body: FormObject;
  rawBody: string;
  headers: IncomingHttpHeaders;
}

export interface FakeStripeDelivery {
  eventId: string;
  type: Stripe.Event.Type;
  /** The endpoint's HTTP status; 0 when it could not be reached (then `error` says why). */
  status: number;
  responseBody: string;
  error?: string;
}

export interface FakeStripePrice {
  id: string;
  unit_amount: number;
  currency: string;
  recurring?: { interval: RecurringInterval; interval_count?: number };
  /** Product name shown on the checkout page. */
  productName?: string;
}

export interface FakeStripe {
  /** `http://127.0.0.1:<port>`, also the base of the hosted pages. */
  url: string;
  host: '127.0.0.1';
  port: number;
  webhookSecret: string;
  requests: FakeStripeRequest[];
  /** Recorded requests with this method whose path starts with `pathPrefix`. */
  requestsTo(method: string, pathPrefix: string): FakeStripeRequest[];
  deliveries: FakeStripeDelivery[];
  /** Every Event the fake raised, in order. */
  events: Stripe.Event[];
  customers: ReadonlyMap<string, Stripe.Customer>;
  checkoutSessions: ReadonlyMap<string, Stripe.Checkout.Session>;
  paymentIntents: ReadonlyMap<string, Stripe.PaymentIntent>;
  charges: ReadonlyMap<string, Stripe.Charge>;
  subscriptions: ReadonlyMap<string, Stripe.Subscription>;
  invoices: ReadonlyMap<string, Stripe.Invoice>;
  invoicePayments: ReadonlyMap<string, Stripe.InvoicePayment>;
  portalSessions: ReadonlyMap<string, Stripe.BillingPortal.Session>;
  prices: ReadonlyMap<string, Stripe.Price>;
  /** Registers a Price that checkout line items can name by id (`line_items[0][price]`). */
  addPrice(price: FakeStripePrice): Stripe.Price;
  /** Pays an open session as the hosted page does and delivers its Events (if webhookUrl); returns them. */
  complete(sessionId: string): Promise<Stripe.Event[]>;
  /** Delivers any Event to webhookUrl, signed with webhookSecret, as Stripe does. */
  deliver(event: Stripe.Event): Promise<FakeStripeDelivery>;
  close(): Promise<void>;
}

/** A failed API request, answered as `{ error: { type, message, code?, param? } }`. */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { type?: string; code?: string; param?: string } = {},
  ) {
    super(message);
  }
}

type Reply =
  | { kind: 'json'; status: number; payload: unknown; headers?: Record<string, string> }
  | { kind: 'html'; status: number; html: string }
  | { kind: 'redirect'; location: string };

type CheckoutLine = { price: Stripe.Price; quantity: number; name: string };
type CheckoutExtras = {
  lines: CheckoutLine[];
  subscriptionMetadata: Stripe.Metadata;
  paymentIntentMetadata: Stripe.Metadata;
  paymentIntentDescription: string | null;
};

const MAX_BODY_BYTES = 1_000_000;
const MAX_KEY_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

function badRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, message, { param, code });
}

function toArrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((key) => toArrays(value[key] as FormValue));
  }
  const result: FormObject = {};
  for (const key of keys) result[key] = toArrays(value[key] as FormValue);
  return result;
}

/**
 * Decodes an `application/x-www-form-urlencoded` body (or query string) the way Stripe reads it: bracket keys
 * nest (`metadata[userId]=u1`), objects whose keys are all indexes become arrays (`line_items[0][quantity]=1`),
 * and `key[]` appends. Every leaf stays a string, as on the wire.
 */
export function decodeStripeForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match?.[1]) throw badRequest(`Invalid parameter name: ${rawKey}`);
    const path = [
      match[1],
      ...Array.from((match[2] ?? '').matchAll(/\[([^[\]]*)\]/g), (part) => part[1] ?? ''),
    ];
    if (path.length > MAX_KEY_DEPTH || path.some((part) => FORBIDDEN_KEYS.has(part))) {
      throw badRequest(`Invalid parameter name: ${rawKey}`);
    }
    let node: Record<string, FormValue> = root;
    path.forEach((part, index) => {
      const key = part === '' ? String(Object.keys(node).length) : part;
      const existing = node[key];
      if (index === path.length - 1) {
        if (existing !== undefined && typeof existing !== 'string')
          throw badRequest(`Invalid parameter: ${rawKey}`);
        node[key] = value;
        return;
      }
      if (typeof existing === 'string') throw badRequest(`Invalid parameter: ${rawKey}`, rawKey);
      const child = (existing ?? {}) as Record<string, FormValue>;
      node[key] = child;
      node = child;
    });
  }
  return toArrays(root) as FormObject;
}

function text(value: FormValue | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid string: ${param}`, param);
  return value;
}

function required(value: FormValue | undefined, param: string): string {
  const result = text(value, param);
  if (result === undefined || result === '')
    throw badRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  return result;
}

function integer(value: FormValue | undefined, param: string, minimum: number): number | undefined {
  const raw = text(value, param);
  if (raw === undefined) return undefined;
  if (!/^\d{1,12}$/.test(raw) || Number(raw) < minimum) throw badRequest(`Invalid integer: ${raw}`, param);
  return Number(raw);
}

function record(value: FormValue | undefined, param: string): FormObject {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid object: ${param}`, param);
  return value;
}

/** Stripe's metadata rules: at most 50 keys of up to 40 characters, string values of up to 500; '' unsets. */
function metadata(value: FormValue | undefined, param: string): Stripe.Metadata {
  const result: Stripe.Metadata = {};
  const entries = Object.entries(record(value, param));
  if (entries.length > 50) throw badRequest('Metadata can have at most 50 keys.', param);
  for (const [key, item] of entries) {
    if (typeof item !== 'string')
      throw badRequest(`Invalid metadata value for ${key}: must be a string.`, `${param}[${key}]`);
    if (key.length > 40)
      throw badRequest(`Metadata keys can be at most 40 characters (${key}).`, `${param}[${key}]`);
    if (item.length > 500)
      throw badRequest(`Metadata values can be at most 500 characters (${key}).`, `${param}[${key}]`);
    if (item !== '') result[key] = item;
  }
  return result;
}

function expandList(query: FormObject, body: FormObject): string[] {
  const expand = body.expand ?? query.expand;
  if (expand === undefined) return [];
  const items = typeof expand === 'string' ? [expand] : Array.isArray(expand) ? expand : [];
  return items.map((item) => text(item, 'expand') ?? '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatAmount(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? amount : amount / 100;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    major,
  );
}

function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function redactKey(key: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const webhookSecret = options.webhookSecret ?? stripeId('whsec_');
  const requests: FakeStripeRequest[] = [];
  const deliveries: FakeStripeDelivery[] = [];
  const events: Stripe.Event[] = [];
  const customers = new Map<string, Stripe.Customer>();
  const checkoutSessions = new Map<string, Stripe.Checkout.Session>();
  const checkoutExtras = new Map<string, CheckoutExtras>();
  const paymentIntents = new Map<string, Stripe.PaymentIntent>();
  const charges = new Map<string, Stripe.Charge>();
  const subscriptions = new Map<string, Stripe.Subscription>();
  const invoices = new Map<string, Stripe.Invoice>();
  const invoicePayments = new Map<string, Stripe.InvoicePayment>();
  const portalSessions = new Map<string, Stripe.BillingPortal.Session>();
  const prices = new Map<string, Stripe.Price>();
  const productNames = new Map<string, string>();
  const idempotentReplies = new Map<string, { fingerprint: string; reply: Reply }>();
  let url = '';

  /** Objects by id, for GETs and for `expand`. */
  const stores: ReadonlyArray<readonly [string, ReadonlyMap<string, object>]> = [
    ['customers', customers],
    ['checkout/sessions', checkoutSessions],
    ['payment_intents', paymentIntents],
    ['charges', charges],
    ['subscriptions', subscriptions],
    ['invoices', invoices],
    ['prices', prices],
    ['events', new Map<string, object>()],
  ];
  const eventsById = stores[7]?.[1] as Map<string, object>;

  function lookup(id: string): object | undefined {
    for (const [, store] of stores) {
      const found = store.get(id);
      if (found) return found;
    }
    return undefined;
  }

  function addPrice(input: FakeStripePrice): Stripe.Price {
    const productId = stripeId('prod_');
    productNames.set(productId, input.productName ?? input.id);
    const created = priceObject({
      id: input.id,
      unit_amount: input.unit_amount,
      currency: input.currency.toLowerCase(),
      product: productId,
      recurring: input.recurring,
    });
    prices.set(created.id, created);
    return created;
  }

  function authenticate(headers: IncomingHttpHeaders): string {
    const match = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
    if (!match?.[1]) {
      throw new StripeApiError(
        401,
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    }
    const key = match[1];
    const valid = options.apiKey !== undefined ? key === options.apiKey : /^(sk|rk)_test_\w+$/.test(key);
    if (!valid) throw new StripeApiError(401, `Invalid API Key provided: ${redactKey(key)}`);
    return key;
  }

  /** Replaces id strings by their objects along a dotted `expand` path, as Stripe does. */
  function expandPath(value: unknown, segments: string[], path: string): unknown {
    const [head, ...rest] = segments;
    if (head === undefined) return value;
    const cannot = () => badRequest(`This property cannot be expanded (${path}).`, 'expand');
    if (!isRecord(value)) throw cannot();
    if (value.object === 'list' && head === 'data' && Array.isArray(value.data)) {
      return { ...value, data: value.data.map((item: unknown) => expandPath(item, rest, path)) };
    }
    const field = value[head];
    if (field === null) return value;
    let resolved: unknown = field;
    if (typeof field === 'string') {
      const stored = lookup(field);
      if (!stored) throw cannot();
      resolved = snapshot(stored);
    } else if (!isRecord(field) || rest.length === 0) {
      throw cannot();
    }
    return { ...value, [head]: expandPath(resolved, rest, path) };
  }

  function withExpansions(object: object, expand: string[]): unknown {
    return expand.reduce<unknown>(
      (value, path) => expandPath(value, path.split('.'), path),
      snapshot(object),
    );
  }

  function createCustomer(body: FormObject): Stripe.Customer {
    const created = customerObject({
      email: text(body.email, 'email') ?? null,
      name: text(body.name, 'name') ?? null,
      description: text(body.description, 'description') ?? null,
      phone: text(body.phone, 'phone') ?? null,
      metadata: metadata(body.metadata, 'metadata'),
    });
    customers.set(created.id, created);
    return created;
  }

  function existingCustomer(id: string, param: string, status: number): Stripe.Customer {
    const found = customers.get(id);
    if (!found)
      throw new StripeApiError(status, `No such customer: '${id}'`, { code: 'resource_missing', param });
    return found;
  }

  function checkoutLine(item: FormValue, index: number): CheckoutLine {
    const param = `line_items[${index}]`;
    const line = record(item, param);
    const quantity = integer(line.quantity, `${param}[quantity]`, 1);
    if (quantity === undefined)
      throw badRequest(`Quantity is required. Add \`quantity\` to \`${param}\``, `${param}[quantity]`);
    if (line.price !== undefined && line.price_data !== undefined) {
      throw badRequest('You may only specify one of these parameters: price, price_data.', `${param}[price]`);
    }
    if (line.price !== undefined) {
      const id = required(line.price, `${param}[price]`);
      const found = prices.get(id);
      if (!found) throw badRequest(`No such price: '${id}'`, `${param}[price]`, 'resource_missing');
      return { price: found, quantity, name: productNames.get(found.product as string) ?? id };
    }
    const data = record(line.price_data, `${param}[price_data]`);
    const currency = required(data.currency, `${param}[price_data][currency]`).toLowerCase();
    const unitAmount = integer(data.unit_amount, `${param}[price_data][unit_amount]`, 0);
    if (unitAmount === undefined)
      throw badRequest('Missing required param: unit_amount.', `${param}[price_data][unit_amount]`);
    const product = record(data.product_data, `${param}[price_data][product_data]`);
    const name =
      text(data.product, `${param}[price_data][product]`) ??
      required(product.name, `${param}[price_data][product_data][name]`);
    const recurringParams =
      data.recurring === undefined ? undefined : record(data.recurring, `${param}[price_data][recurring]`);
    const interval =
      recurringParams && required(recurringParams.interval, `${param}[price_data][recurring][interval]`);
    if (interval !== undefined && !['day', 'week', 'month', 'year'].includes(interval)) {
      throw badRequest(
        `Invalid recurring interval: ${interval}`,
        `${param}[price_data][recurring][interval]`,
      );
    }
    const intervalCount =
      recurringParams &&
      integer(recurringParams.interval_count, `${param}[price_data][recurring][interval_count]`, 1);
    const inline = priceObject({
      currency,
      unit_amount: unitAmount,
      recurring: interval
        ? { interval: interval as RecurringInterval, interval_count: intervalCount ?? 1 }
        : undefined,
    });
    prices.set(inline.id, inline);
    productNames.set(inline.product as string, name);
    return { price: inline, quantity, name };
  }

  function checkoutLines(body: FormObject, mode: string): CheckoutLine[] {
    const items = body.line_items;
    if (!Array.isArray(items) || items.length === 0) {
      throw badRequest(
        '`line_items` is required in `payment` and `subscription` mode.',
        'line_items',
        'parameter_missing',
      );
    }
    const lines = items.map(checkoutLine);
    const currencies = new Set(lines.map((line) => line.price.currency));
    if (currencies.size > 1) throw badRequest('All line items must have the same currency.', 'line_items');
    const recurring = lines.filter((line) => line.price.recurring !== null);
    if (mode === 'payment' && recurring.length > 0) {
      throw badRequest(
        'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
        'line_items',
      );
    }
    if (mode === 'subscription' && recurring.length === 0) {
      throw badRequest(
        'You must provide at least one recurring price in `subscription` mode when using prices.',
        'line_items',
      );
    }
    return lines;
  }

  function createCheckoutSession(body: FormObject): Stripe.Checkout.Session {
    const mode = required(body.mode, 'mode');
    if (mode !== 'payment' && mode !== 'subscription') {
      throw badRequest(`Invalid mode: ${mode}. The fake supports payment and subscription.`, 'mode');
    }
    const uiMode = text(body.ui_mode, 'ui_mode') ?? 'hosted_page';
    if (uiMode !== 'hosted_page')
      throw badRequest(`The fake serves only ui_mode hosted_page, not ${uiMode}.`, 'ui_mode');
    const successUrl = required(body.success_url, 'success_url');
    const customerId = text(body.customer, 'customer');
    const customerEmail = text(body.customer_email, 'customer_email');
    if (customerId !== undefined && customerEmail !== undefined) {
      throw badRequest('You may only specify one of these parameters: customer, customer_email.', 'customer');
    }
    if (customerId !== undefined) existingCustomer(customerId, 'customer', 400);
    if (mode === 'subscription' && body.payment_intent_data !== undefined) {
      throw badRequest(
        'You can not pass `payment_intent_data` in `subscription` mode.',
        'payment_intent_data',
      );
    }
    if (mode === 'payment' && body.subscription_data !== undefined) {
      throw badRequest('You can not pass `subscription_data` in `payment` mode.', 'subscription_data');
    }
    const clientReferenceId = text(body.client_reference_id, 'client_reference_id');
    if (clientReferenceId !== undefined && clientReferenceId.length > 200) {
      throw badRequest('client_reference_id can be at most 200 characters.', 'client_reference_id');
    }
    const lines = checkoutLines(body, mode);
    const amount = lines.reduce((sum, line) => sum + (line.price.unit_amount ?? 0) * line.quantity, 0);
    const id = stripeId('cs_test_');
    const session = checkoutSessionObject({
      id,
      mode,
      status: 'open',
      payment_status: 'unpaid',
      url: `${url}/pay/${id}`,
      customer: customerId ?? null,
      customer_email: customerEmail ?? null,
      customer_details: null,
      client_reference_id: clientReferenceId ?? null,
      metadata: metadata(body.metadata, 'metadata'),
      amount_subtotal: amount,
      amount_total: amount,
      currency: lines[0]?.price.currency ?? 'usd',
      success_url: successUrl,
      cancel_url: text(body.cancel_url, 'cancel_url') ?? null,
      locale: (text(body.locale, 'locale') as Stripe.Checkout.Session.Locale | undefined) ?? null,
      payment_intent: null,
      subscription: null,
      invoice: null,
    });
    const subscriptionData = record(body.subscription_data, 'subscription_data');
    const paymentIntentData = record(body.payment_intent_data, 'payment_intent_data');
    checkoutExtras.set(id, {
      lines,
      subscriptionMetadata: metadata(subscriptionData.metadata, 'subscription_data[metadata]'),
      paymentIntentMetadata: metadata(paymentIntentData.metadata, 'payment_intent_data[metadata]'),
      paymentIntentDescription:
        text(paymentIntentData.description, 'payment_intent_data[description]') ?? null,
    });
    checkoutSessions.set(id, session);
    return session;
  }

  function createPortalSession(body: FormObject): Stripe.BillingPortal.Session {
    const customerId = required(body.customer, 'customer');
    existingCustomer(customerId, 'customer', 400);
    const id = stripeId('bps_');
    const session: Stripe.BillingPortal.Session = {
      id,
      object: 'billing_portal.session',
      configuration: stripeId('bpc_'),
      created: nowSeconds(),
      customer: customerId,
      customer_account: null,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: text(body.return_url, 'return_url') ?? null,
      url: `${url}/portal/${id}`,
    };
    portalSessions.set(id, session);
    return session;
  }

  function listInvoicePayments(query: FormObject): Stripe.ApiList<Stripe.InvoicePayment> {
    const invoiceId = text(query.invoice, 'invoice');
    const payment = record(query.payment, 'payment');
    const paymentIntentId = text(payment.payment_intent, 'payment[payment_intent]');
    const status = text(query.status, 'status');
    const limit = integer(query.limit, 'limit', 1) ?? 10;
    if (limit > 100) throw badRequest('Invalid limit: must be between 1 and 100.', 'limit');
    const matching = [...invoicePayments.values()]
      .filter((item) => invoiceId === undefined || item.invoice === invoiceId)
      .filter((item) => paymentIntentId === undefined || item.payment.payment_intent === paymentIntentId)
      .filter((item) => status === undefined || item.status === status)
      .reverse();
    return {
      object: 'list',
      data: matching.slice(0, limit),
      has_more: matching.length > limit,
      url: '/v1/invoice_payments',
    };
  }

  /** Records an Event as Stripe raises it: a snapshot of the object at that moment. */
  function raise<Type extends Stripe.Event.Type>(type: Type, object: object): Stripe.Event {
    const raised = eventObject(type, snapshot(object) as never);
    events.push(raised);
    eventsById.set(raised.id, raised);
    return raised;
  }

  /** A succeeded PaymentIntent and its Charge, as one successful card payment leaves them. */
  function payOnce(payment: {
    amount: number;
    currency: string;
    customerId: string | null;
    email: string | null;
    metadata: Stripe.Metadata;
    description: string | null;
  }): Stripe.PaymentIntent {
    const { amount, currency, customerId, metadata: metadataValue, description } = payment;
    const chargeId = stripeId('ch_');
    const intent = paymentIntentObject({
      amount,
      currency,
      customer: customerId,
      metadata: metadataValue,
      description,
      latest_charge: chargeId,
    });
    const paid = chargeObject({
      id: chargeId,
      amount,
      currency,
      customer: customerId,
      description,
      billing_details: { email: payment.email },
      metadata: metadataValue,
      payment_intent: intent.id,
      payment_method: intent.payment_method as string,
      receipt_url: `${url}/receipts/${chargeId}`,
    });
    paymentIntents.set(intent.id, intent);
    charges.set(paid.id, paid);
    return intent;
  }

  function startSubscription(session: Stripe.Checkout.Session, extras: CheckoutExtras, customerId: string) {
    const created = nowSeconds();
    const subscriptionId = stripeId('sub_');
    const invoiceId = stripeId('in_');
    const recurringLines = extras.lines.filter((line) => line.price.recurring !== null);
    const first = recurringLines[0]?.price.recurring;
    const end = periodEnd(
      created,
      (first?.interval ?? 'month') as RecurringInterval,
      first?.interval_count ?? 1,
    );
    const template = subscriptionObject().items.data[0] as Stripe.SubscriptionItem;
    const items = recurringLines.map((line) => ({
      ...template,
      id: stripeId('si_'),
      created,
      current_period_start: created,
      current_period_end: end,
      plan: planOf(line.price),
      price: line.price,
      quantity: line.quantity,
      subscription: subscriptionId,
    }));
    const currency = session.currency ?? 'usd';
    const started = subscriptionObject({
      id: subscriptionId,
      created,
      currency,
      customer: customerId,
      metadata: extras.subscriptionMetadata,
      latest_invoice: invoiceId,
    });
    started.items = { ...started.items, data: items };
    subscriptions.set(started.id, started);
    const amount = session.amount_total ?? 0;
    const bill = invoiceObject({
      id: invoiceId,
      created,
      currency,
      customer: customerId,
      customer_email: session.customer_details?.email ?? null,
      amount_paid: amount,
      parent: {
        subscription_details: { subscription: subscriptionId, metadata: extras.subscriptionMetadata },
      },
      hosted_invoice_url: `${url}/invoices/${invoiceId}`,
      invoice_pdf: `${url}/invoices/${invoiceId}/pdf`,
    });
    const lineTemplate = bill.lines.data[0] as Stripe.InvoiceLineItem;
    bill.lines = {
      ...bill.lines,
      data: items.map((item, index) => {
        const line = recurringLines[index] as CheckoutLine;
        const lineAmount = (line.price.unit_amount ?? 0) * line.quantity;
        return {
          ...lineTemplate,
          id: stripeId('il_'),
          amount: lineAmount,
          subtotal: lineAmount,
          description: `${line.quantity} × ${line.name}`,
          period: { start: created, end },
          quantity: line.quantity,
          quantity_decimal: Stripe.Decimal.from(String(line.quantity)),
          parent: {
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: subscriptionId,
              subscription_item: item.id,
            },
            type: 'subscription_item_details',
          },
          pricing: {
            price_details: { price: line.price.id, product: line.price.product as string },
            type: 'price_details' as const,
            unit_amount_decimal: line.price.unit_amount_decimal,
          },
        };
      }),
    };
    invoices.set(bill.id, bill);
    const intent = payOnce({
      amount,
      currency,
      customerId,
      email: session.customer_details?.email ?? null,
      metadata: {},
      description: 'Subscription creation',
    });
    const payment = invoicePaymentObject({
      invoice: bill.id,
      amount_paid: amount,
      currency,
      created,
      payment: { type: 'payment_intent', payment_intent: intent.id },
    });
    invoicePayments.set(payment.id, payment);
    return { started, bill };
  }

  /** Changes the fake's state exactly once per session and returns the Events, not yet delivered. */
  function finishCheckout(sessionId: string): Stripe.Event[] {
    const session = checkoutSessions.get(sessionId);
    const extras = checkoutExtras.get(sessionId);
    if (!session || !extras) throw new Error(`Fake Stripe has no checkout session ${sessionId}`);
    if (session.status !== 'open')
      throw new Error(`Checkout session ${sessionId} is ${session.status}, not open`);
    const existing = typeof session.customer === 'string' ? customers.get(session.customer) : undefined;
    const email = session.customer_email ?? existing?.email ?? 'buyer@example.com';
    const needsCustomer = session.mode === 'subscription' || session.customer_creation === 'always';
    const customerId =
      existing?.id ?? (needsCustomer ? createCustomer({ email, name: 'Test Buyer' }).id : null);
    Object.assign(session, {
      status: 'complete',
      payment_status: 'paid',
      url: null,
      customer: customerId,
      customer_details: { ...(checkoutSessionObject().customer_details as object), email },
    });
    if (session.mode === 'payment') {
      const amount = session.amount_total ?? 0;
      const intent = payOnce({
        amount,
        currency: session.currency ?? 'usd',
        customerId,
        email,
        metadata: extras.paymentIntentMetadata,
        description: extras.paymentIntentDescription,
      });
      session.payment_intent = intent.id;
      return [raise('checkout.session.completed', session)];
    }
    const { started, bill } = startSubscription(session, extras, customerId as string);
    session.subscription = started.id;
    session.invoice = bill.id;
    return [
      raise('checkout.session.completed', session),
      raise('customer.subscription.created', started),
      raise('invoice.paid', bill),
    ];
  }

  async function deliver(raised: Stripe.Event): Promise<FakeStripeDelivery> {
    if (!options.webhookUrl) throw new Error('Fake Stripe was started without a webhookUrl');
    const payload = JSON.stringify(raised, null, 2);
    const delivery: FakeStripeDelivery = {
      eventId: raised.id,
      type: raised.type,
      status: 0,
      responseBody: '',
    };
    try {
      const response = await fetch(options.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          accept: '*/*; q=0.5, application/xml',
          'stripe-signature': stripeSignature(payload, webhookSecret),
        },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      delivery.status = response.status;
      delivery.responseBody = (await response.text()).slice(0, 2000);
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    deliveries.push(delivery);
    return delivery;
  }

  async function complete(sessionId: string): Promise<Stripe.Event[]> {
    const raised = finishCheckout(sessionId);
    if (options.webhookUrl) for (const item of raised) await deliver(item);
    return raised;
  }

  function successRedirect(session: Stripe.Checkout.Session): Reply {
    const target = (session.success_url ?? url).replaceAll('{CHECKOUT_SESSION_ID}', session.id);
    return { kind: 'redirect', location: target };
  }

  function checkoutPage(session: Stripe.Checkout.Session): string {
    const lines = checkoutExtras.get(session.id)?.lines ?? [];
    const items = lines.map((line) => `<li>${escapeHtml(line.name)} × ${line.quantity}</li>`).join('');
    const total = formatAmount(session.amount_total ?? 0, session.currency ?? 'usd');
    const cancel = session.cancel_url ? `<a href="${escapeHtml(session.cancel_url)}">Cancel</a>` : '';
    return htmlPage(
      'Fake Stripe Checkout',
      `<h1>Fake Stripe Checkout</h1><ul>${items}</ul><p>Total: <strong data-testid="amount">${escapeHtml(total)}</strong>` +
        `${session.mode === 'subscription' ? ' (subscription)' : ''}</p>` +
        `<form method="post" action="/pay/${escapeHtml(session.id)}"><button type="submit">Pay</button></form>${cancel}`,
    );
  }

  async function handlePage(method: string, path: string): Promise<Reply | null> {
    const pay = /^\/pay\/([\w-]+)$/.exec(path);
    if (pay?.[1]) {
      const session = checkoutSessions.get(pay[1]);
      if (!session)
        return {
          kind: 'html',
          status: 404,
          html: htmlPage('Not found', '<h1>No such checkout session</h1>'),
        };
      if (session.status !== 'open') return successRedirect(session);
      if (method === 'GET') return { kind: 'html', status: 200, html: checkoutPage(session) };
      if (method === 'POST') {
        await complete(session.id);
        return successRedirect(session);
      }
    }
    const portal = /^\/portal\/([\w-]+)$/.exec(path);
    const portalSession = portal?.[1] ? portalSessions.get(portal[1]) : undefined;
    if (portalSession && method === 'GET') {
      const back = portalSession.return_url
        ? `<a href="${escapeHtml(portalSession.return_url)}">Return</a>`
        : '';
      return {
        kind: 'html',
        status: 200,
        html: htmlPage(
          'Fake Stripe Billing Portal',
          `<h1>Fake Stripe Billing Portal</h1><p>${escapeHtml(portalSession.customer)}</p>${back}`,
        ),
      };
    }
    const receipt = /^\/receipts\/([\w-]+)$/.exec(path);
    const paid = receipt?.[1] ? charges.get(receipt[1]) : undefined;
    if (paid && method === 'GET') {
      return {
        kind: 'html',
        status: 200,
        html: htmlPage(
          'Receipt',
          `<h1>Receipt</h1><p>${escapeHtml(formatAmount(paid.amount, paid.currency))}</p>`,
        ),
      };
    }
    const hostedInvoice = /^\/invoices\/([\w-]+)(\/pdf)?$/.exec(path);
    const bill = hostedInvoice?.[1] ? invoices.get(hostedInvoice[1]) : undefined;
    if (bill && method === 'GET') {
      return {
        kind: 'html',
        status: 200,
        html: htmlPage('Invoice', `<h1>Invoice ${escapeHtml(bill.number ?? bill.id)}</h1>`),
      };
    }
    return null;
  }

  function retrieve(path: string, query: FormObject): Reply | null {
    for (const [collection, store] of stores) {
      const match = new RegExp(`^/v1/${collection}/([\\w-]+)$`).exec(path);
      if (!match?.[1]) continue;
      const found = store.get(match[1]);
      const noun = collection.replace(/s$/, '').replace('checkout/session', 'checkout.session');
      if (!found)
        throw new StripeApiError(404, `No such ${noun}: '${match[1]}'`, {
          code: 'resource_missing',
          param: 'id',
        });
      return { kind: 'json', status: 200, payload: withExpansions(found, expandList(query, {})) };
    }
    return null;
  }

  function routeApi(method: string, path: string, query: FormObject, body: FormObject): Reply {
    const ok = (object: object) => ({
      kind: 'json' as const,
      status: 200,
      payload: withExpansions(object, expandList(query, body)),
    });
    if (method === 'POST' && path === '/v1/customers') return ok(createCustomer(body));
    if (method === 'POST' && path === '/v1/checkout/sessions') return ok(createCheckoutSession(body));
    if (method === 'POST' && path === '/v1/billing_portal/sessions') return ok(createPortalSession(body));
    if (method === 'GET' && path === '/v1/invoice_payments') return ok(listInvoicePayments(query));
    const found = method === 'GET' ? retrieve(path, query) : null;
    if (found) return found;
    throw new StripeApiError(
      404,
      `Unrecognized request URL (${method}: ${path}). This fake serves only what the app uses.`,
    );
  }

  /** Authenticates, replays idempotent POSTs (a different request under a used key is an error) and routes. */
  function handleApi(request: FakeStripeRequest): Reply {
    const apiKey = authenticate(request.headers);
    const key = request.headers['idempotency-key'];
    const idempotencyKey = request.method === 'POST' && typeof key === 'string' ? `${apiKey}\n${key}` : null;
    const fingerprint = `${request.method} ${request.path} ${request.rawBody}`;
    const previous = idempotencyKey ? idempotentReplies.get(idempotencyKey) : undefined;
    if (previous && previous.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        { type: 'idempotency_error' },
      );
    }
    if (previous && previous.reply.kind === 'json') {
      return {
        ...previous.reply,
        headers: { 'idempotent-replayed': 'true', 'original-request': 'req_replayed' },
      };
    }
    const contentType = request.headers['content-type'] ?? '';
    if (request.rawBody !== '' && !contentType.startsWith('application/x-www-form-urlencoded')) {
      throw badRequest('Invalid request: the Stripe API reads application/x-www-form-urlencoded bodies.');
    }
    let reply: Reply;
    try {
      reply = routeApi(request.method, request.path, request.query, request.body);
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      reply = errorReply(error);
    }
    if (idempotencyKey) idempotentReplies.set(idempotencyKey, { fingerprint, reply });
    return reply;
  }

  function errorReply(error: StripeApiError): Reply {
    const { type = 'invalid_request_error', code, param } = error.details;
    const payload = {
      error: {
        type,
        message: error.message,
        ...(code && { code }),
        ...(param && { param }),
        request_log_url: `${url}/logs`,
      },
    };
    return { kind: 'json', status: error.status, payload };
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) reject(badRequest('Request body too large.'));
        else chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (reply.kind === 'redirect') {
      res.writeHead(303, { location: reply.location }).end();
      return;
    }
    if (reply.kind === 'html') {
      res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8' }).end(reply.html);
      return;
    }
    res
      .writeHead(reply.status, {
        'content-type': 'application/json',
        'request-id': stripeId('req_'),
        'stripe-version': Stripe.API_VERSION,
        ...reply.headers,
      })
      .end(JSON.stringify(reply.payload, null, 2));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const request: FakeStripeRequest = {
      method,
      path: target.pathname,
      query: {},
      body: {},
      rawBody: '',
      headers: req.headers,
    };
    requests.push(request);
    try {
      request.rawBody = await readBody(req);
      request.query = decodeStripeForm(target.search.slice(1));
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      request.body = isForm ? decodeStripeForm(request.rawBody) : {};
      if (target.pathname.startsWith('/v1/')) return send(res, handleApi(request));
      const page = await handlePage(method, target.pathname);
      send(res, page ?? { kind: 'html', status: 404, html: htmlPage('Not found', '<h1>Not found</h1>') });
    } catch (error) {
      if (error instanceof StripeApiError) return send(res, errorReply(error));
      const message = error instanceof Error ? error.message : String(error);
      send(res, errorReply(new StripeApiError(500, `Fake Stripe failed: ${message}`, { type: 'api_error' })));
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    host: '127.0.0.1',
    port,
    webhookSecret,
    requests,
    requestsTo: (method, pathPrefix) =>
      requests.filter((item) => item.method === method.toUpperCase() && item.path.startsWith(pathPrefix)),
    deliveries,
    events,
    customers,
    checkoutSessions,
    paymentIntents,
    charges,
    subscriptions,
    invoices,
    invoicePayments,
    portalSessions,
    prices,
    addPrice,
    complete,
    deliver,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
