/**
 * Stripe objects and webhook Events exactly as the API version the installed SDK pins (Stripe.API_VERSION,
 * 2026-10-28.endive) sends them, typed with the SDK's own types so a field that moved (the subscription of an
 * invoice under `parent.subscription_details`, the period under `items.data[0]`) cannot be written the old way.
 * Tests state only what matters and deep-merge it over complete defaults; the fake Stripe server builds its
 * objects with the same builders, so fixtures and the fake cannot drift apart.
 *
 * Merge rules: plain objects merge key by key, `undefined` keeps the default, anything else (null, strings,
 * Decimals) replaces it, and an array replaces the default array element by element (element i of the override
 * merged over element i of the default), so `lines: { data: [{ period }] }` adjusts the default line.
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** Overrides for a builder: every field optional, at every depth. */
export type DeepPartial<T> = T extends
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | Stripe.Decimal
  ? T
  : T extends Array<infer Item>
    ? Array<DeepPartial<Item>>
    : T extends object
      ? { [Key in keyof T]?: DeepPartial<T[Key]> }
      : T;

/** The Event variant of one type: `EventOf<'invoice.paid'>['data']['object']` is a `Stripe.Invoice`. */
export type EventOf<Type extends Stripe.Event.Type> = Extract<Stripe.Event, { type: Type }>;

export type RecurringInterval = 'day' | 'week' | 'month' | 'year';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Stripe-looking id: the prefix (`cus_`, `cs_test_`, `in_`, …) and 24 random base62 characters. */
export function stripeId(prefix: string): string {
  return prefix + Array.from(randomBytes(24), (byte) => BASE62[byte % 62]).join('');
}

/** Unix seconds, the unit of every Stripe timestamp. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The end of one billing period that starts at `startSeconds`, in calendar units as Stripe counts them. */
export function periodEnd(startSeconds: number, interval: RecurringInterval, intervalCount = 1): number {
  const date = new Date(startSeconds * 1000);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + intervalCount);
  if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * intervalCount);
  if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + intervalCount);
  if (interval === 'year') date.setUTCFullYear(date.getUTCFullYear() + intervalCount);
  return Math.floor(date.getTime() / 1000);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Merges `override` over `base` by the rules in the header comment; neither argument is modified. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) return base;
  if (Array.isArray(override)) {
    const baseItems: unknown[] = Array.isArray(base) ? base : [];
    return override.map((item, index) => deepMerge(baseItems[index], item)) as T;
  }
  if (isPlainObject(override) && isPlainObject(base)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
    return merged as T;
  }
  return override as T;
}

function decimal(value: number): Stripe.Decimal {
  return Stripe.Decimal.from(String(value));
}

/** A Price; `recurring` (with `interval`) makes it a subscription price. */
export function price(overrides: DeepPartial<Stripe.Price> = {}): Stripe.Price {
  const unitAmount = overrides.unit_amount ?? 1000;
  const recurring = overrides.recurring
    ? {
        interval: overrides.recurring.interval ?? 'month',
        interval_count: overrides.recurring.interval_count ?? 1,
        meter: null,
        trial_period_days: null,
        usage_type: 'licensed',
      }
    : null;
  const base: Stripe.Price = {
    id: stripeId('price_'),
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: nowSeconds(),
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: stripeId('prod_'),
    recurring,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: decimal(unitAmount),
  };
  return deepMerge(base, { ...overrides, recurring: undefined });
}

/** The legacy Plan twin of a recurring Price, which subscription items still carry beside `price`. */
export function planOf(recurringPrice: Stripe.Price): Stripe.Plan {
  const recurring = recurringPrice.recurring;
  if (!recurring) throw new Error(`price ${recurringPrice.id} is not recurring, so it has no plan`);
  return {
    id: recurringPrice.id,
    object: 'plan',
    active: recurringPrice.active,
    amount: recurringPrice.unit_amount,
    amount_decimal: recurringPrice.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: recurringPrice.created,
    currency: recurringPrice.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: recurringPrice.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export function customer(overrides: DeepPartial<Stripe.Customer> = {}): Stripe.Customer {
  const base: Stripe.Customer = {
    id: stripeId('cus_'),
    object: 'customer',
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: 'buyer@example.com',
    invoice_prefix: stripeId('').slice(0, 8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  return deepMerge(base, overrides);
}

/** A Checkout Session as `checkout.session.completed` carries it: complete and paid, payment mode. */
export function checkoutSession(
  overrides: DeepPartial<Stripe.Checkout.Session> = {},
): Stripe.Checkout.Session {
  const created = overrides.created ?? nowSeconds();
  const mode = overrides.mode ?? 'payment';
  const amount = overrides.amount_total ?? 1000;
  const base: Stripe.Checkout.Session = {
    id: stripeId('cs_test_'),
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: 'http://localhost:3000/pricing',
    client_reference_id: null,
    client_secret: null,
    collected_information: { business_name: null, individual_name: null, shipping_details: null },
    consent: null,
    consent_collection: null,
    created,
    currency: 'usd',
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: mode === 'subscription' ? stripeId('cus_') : null,
    customer_account: null,
    customer_creation: mode === 'subscription' ? 'always' : 'if_required',
    customer_details: {
      address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94103', state: null },
      business_name: null,
      email: 'buyer@example.com',
      individual_name: null,
      name: 'Test Buyer',
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: null,
    discounts: [],
    expires_at: created + 24 * 3600,
    integration_identifier: null,
    invoice: mode === 'subscription' ? stripeId('in_') : null,
    invoice_creation:
      mode === 'payment'
        ? {
            enabled: false,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: null,
              footer: null,
              issuer: null,
              metadata: {},
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: {},
    mode,
    origin_context: null,
    payment_intent: mode === 'payment' ? stripeId('pi_') : null,
    payment_link: null,
    payment_method_collection: mode === 'subscription' ? 'always' : 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: 'paid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'complete',
    submit_type: null,
    subscription: mode === 'subscription' ? stripeId('sub_') : null,
    success_url: 'http://localhost:3000/billing?session_id={CHECKOUT_SESSION_ID}',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: null,
    wallet_options: null,
  };
  return deepMerge(base, overrides);
}

/** A succeeded PaymentIntent whose `latest_charge` is a charge id. */
export function paymentIntent(overrides: DeepPartial<Stripe.PaymentIntent> = {}): Stripe.PaymentIntent {
  const id = overrides.id ?? stripeId('pi_');
  const amount = overrides.amount ?? 1000;
  const base: Stripe.PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount,
    amount_capturable: 0,
    amount_received: amount,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${stripeId('')}`,
    confirmation_method: 'automatic',
    created: nowSeconds(),
    currency: 'usd',
    customer: null,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: stripeId('ch_'),
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: stripeId('pm_'),
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  return deepMerge(base, overrides);
}

/**
 * A captured card Charge. `amount_captured` follows `amount`, and `refunded` follows `amount_refunded`
 * (true once all of it is refunded) unless overridden, as Stripe reports them on `charge.refunded`.
 */
export function charge(overrides: DeepPartial<Stripe.Charge> = {}): Stripe.Charge {
  const id = overrides.id ?? stripeId('ch_');
  const amount = overrides.amount ?? 1000;
  const amountRefunded = overrides.amount_refunded ?? 0;
  const created = overrides.created ?? nowSeconds();
  const base: Stripe.Charge = {
    id,
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: stripeId('txn_'),
    billing_details: {
      address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94103', state: null },
      email: 'buyer@example.com',
      name: 'Test Buyer',
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'SAAS CREDITS',
    captured: true,
    created,
    currency: 'usd',
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 32,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: stripeId('pi_'),
    payment_method: stripeId('pm_'),
    payment_method_details: {
      card: {
        amount_authorized: amount,
        authorization_code: null,
        brand: 'visa',
        checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
        country: 'US',
        electronic_commerce_indicator: null,
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        funding: 'credit',
        installments: null,
        last4: '4242',
        mandate: null,
        network: 'visa',
        network_transaction_id: '104557651805572',
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${stripeId('')}`,
    refunded: amountRefunded >= amount,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  return deepMerge(base, overrides);
}

/** A card Dispute, `needs_response` and `fraudulent` unless overridden. */
export function dispute(overrides: DeepPartial<Stripe.Dispute> = {}): Stripe.Dispute {
  const created = overrides.created ?? nowSeconds();
  const base: Stripe.Dispute = {
    id: stripeId('du_'),
    object: 'dispute',
    amount: 1000,
    balance_transactions: [],
    charge: stripeId('ch_'),
    created,
    currency: 'usd',
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: {
      due_by: created + 7 * 24 * 3600,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: stripeId('pi_'),
    payment_method_details: {
      card: { brand: 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' },
      type: 'card',
    },
    reason: 'fraudulent',
    status: 'needs_response',
  };
  return deepMerge(base, overrides);
}

/**
 * An active Subscription with one item; its period lives on the item (`items.data[0].current_period_*`), where
 * the 2025+ API versions put it. The item's `subscription` and the price's currency follow the overrides.
 */
export function subscription(overrides: DeepPartial<Stripe.Subscription> = {}): Stripe.Subscription {
  const id = overrides.id ?? stripeId('sub_');
  const created = overrides.created ?? nowSeconds();
  const currency = overrides.currency ?? 'usd';
  const itemPrice = price({ currency, unit_amount: 1000, recurring: { interval: 'month' } });
  const item: Stripe.SubscriptionItem = {
    id: stripeId('si_'),
    object: 'subscription_item',
    billing_thresholds: null,
    created,
    current_period_end: periodEnd(created, 'month'),
    current_period_start: created,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planOf(itemPrice),
    price: itemPrice,
    quantity: 1,
    subscription: id,
    tax_rates: [],
  };
  const base: Stripe.Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: created,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created,
    currency,
    customer: stripeId('cus_'),
    customer_account: null,
    days_until_due: null,
    default_payment_method: stripeId('pm_'),
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: {
      object: 'list',
      data: [item],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: stripeId('in_'),
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status: 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: null,
  };
  return deepMerge(base, overrides);
}

/**
 * A paid first invoice of a subscription (`billing_reason: 'subscription_create'`). The subscription is found
 * under `parent.subscription_details` (with the subscription's metadata), the period on `lines.data[0].period`.
 * The line's subscription, metadata, amount and currency follow the invoice-level overrides.
 */
export function invoice(overrides: DeepPartial<Stripe.Invoice> = {}): Stripe.Invoice {
  const id = overrides.id ?? stripeId('in_');
  const created = overrides.created ?? nowSeconds();
  const amount = overrides.amount_paid ?? 1000;
  const currency = overrides.currency ?? 'usd';
  const subscriptionOverride = overrides.parent?.subscription_details?.subscription;
  const subscriptionId =
    (typeof subscriptionOverride === 'string' ? subscriptionOverride : subscriptionOverride?.id) ??
    stripeId('sub_');
  const metadata = (overrides.parent?.subscription_details?.metadata ?? {}) as Stripe.Metadata;
  const linePrice = price({ currency, unit_amount: amount, recurring: { interval: 'month' } });
  const line: Stripe.InvoiceLineItem = {
    id: stripeId('il_'),
    object: 'line_item',
    amount,
    currency,
    description: `1 × Pro (at ${(amount / 100).toFixed(2)} / month)`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: id,
    livemode: false,
    metadata,
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: subscriptionId,
        subscription_item: stripeId('si_'),
      },
      type: 'subscription_item_details',
    },
    period: { end: periodEnd(created, 'month'), start: created },
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: linePrice.id, product: linePrice.product as string },
      type: 'price_details',
      unit_amount_decimal: decimal(amount),
    },
    quantity: 1,
    quantity_decimal: decimal(1),
    subscription: subscriptionId,
    subtotal: amount,
    taxes: [],
  };
  const base: Stripe.Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'SaaS Credits',
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: amount,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 1,
    attempted: true,
    auto_advance: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'subscription_create',
    collection_method: 'charge_automatically',
    created,
    currency,
    custom_fields: null,
    customer: stripeId('cus_'),
    customer_account: null,
    customer_address: null,
    customer_email: 'buyer@example.com',
    customer_name: 'Test Buyer',
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: created,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/${id}`,
    invoice_pdf: `https://pay.stripe.com/invoice/acct_test/${id}/pdf`,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [line], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${stripeId('').slice(0, 8).toUpperCase()}-0001`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata, subscription: subscriptionId },
      type: 'subscription_details',
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: created,
    period_start: created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'paid',
    status_transitions: {
      finalized_at: created,
      marked_uncollectible_at: null,
      paid_at: created,
      voided_at: null,
    },
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: null,
    total: amount,
    total_discount_amounts: [],
    total_excluding_tax: amount,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  };
  return deepMerge(base, overrides);
}

/** The record of a payment toward an invoice; since 2025 it, not the invoice, names the PaymentIntent. */
export function invoicePayment(overrides: DeepPartial<Stripe.InvoicePayment> = {}): Stripe.InvoicePayment {
  const created = overrides.created ?? nowSeconds();
  const amount = overrides.amount_paid ?? 1000;
  const base: Stripe.InvoicePayment = {
    id: stripeId('inpay_'),
    object: 'invoice_payment',
    amount_paid: amount,
    amount_requested: amount,
    created,
    currency: 'usd',
    invoice: stripeId('in_'),
    is_default: true,
    livemode: false,
    payment: { payment_intent: stripeId('pi_'), type: 'payment_intent' },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: created },
  };
  return deepMerge(base, overrides);
}

/**
 * An Event of `type` carrying `object`, as a webhook endpoint receives it. `request` defaults to the shape of
 * an event Stripe raised by itself (a customer paying on a hosted page): both ids null.
 */
export function event<Type extends Stripe.Event.Type>(
  type: Type,
  object: EventOf<Type>['data']['object'],
  options: {
    created?: number;
    id?: string;
    previousAttributes?: Record<string, unknown>;
    request?: { id: string | null; idempotency_key: string | null };
  } = {},
): EventOf<Type> {
  const data: Stripe.Event.Data = { object };
  if (options.previousAttributes) data.previous_attributes = options.previousAttributes;
  return {
    id: options.id ?? stripeId('evt_'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: options.created ?? nowSeconds(),
    data,
    livemode: false,
    pending_webhooks: 1,
    request: options.request ?? { id: null, idempotency_key: null },
    type,
  } as EventOf<Type>;
}

/** The Stripe-Signature header value for `payload`, as the SDK's test helper computes it. */
export function stripeSignature(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/**
 * What a webhook endpoint receives for `event`: the body as Stripe serialises it and the signed headers.
 * `timestamp` (Unix seconds) lets a test sign a stale or future delivery.
 */
export function signedDelivery(
  event: Stripe.Event,
  secret: string,
  options: { timestamp?: number } = {},
): { body: string; headers: { 'stripe-signature': string; 'content-type': 'application/json' } } {
  const body = JSON.stringify(event, null, 2);
  return {
    body,
    headers: {
      'stripe-signature': stripeSignature(body, secret, options.timestamp),
      'content-type': 'application/json',
    },
  };
}
