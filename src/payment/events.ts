import type { Payment } from '@/db/schema';

/**
 * What a provider adapter hands to the dispatch (src/payment/handlers/core.ts) once it has verified and
 * parsed a notification: the same few facts whichever provider sent them. Money is always an integer in
 * the currency's minor unit with its ISO code; times are the provider's, so stale updates can be told
 * from fresh ones.
 */

export type PaymentProvider = Payment['provider'];

/** Who paid, as the provider knows it: our user id (from metadata we set) or the provider's customer. */
export interface PayerReference {
  userId: string | null;
  customerId: string | null;
}

/** What was bought, from the checkout's snapshot; `credits` null when the snapshot is missing. */
export interface PurchaseSnapshot {
  type: Payment['type'];
  /** `credits_<packId>`, `pro_monthly`, `pro_yearly` or `lifetime`. */
  scene: string;
  credits: number | null;
  /** A pack's expiry in days at checkout (null: never), for when the pack has left the config since. */
  expiresInDays?: number | null;
}

/** Which stored payment a refund or dispute is about: by the provider's payment id or its reference. */
export type PaymentLookup = { providerPaymentId: string } | { providerReference: string };

/**
 * Which order a payment pays. `stored`: the app created the order before payment (WeChat Pay, and
 * Stripe's delayed methods after their pending event), so the payment must match it in amount and
 * currency, and a payment for an order the app never created is not granted. `snapshot`: the provider
 * carries the order (Stripe metadata), and the payment row is created from it.
 */
export type OrderSource =
  | { kind: 'stored' }
  | { kind: 'snapshot'; payer: PayerReference; purchase: PurchaseSnapshot };

export interface PaymentSucceeded {
  kind: 'payment.succeeded';
  provider: PaymentProvider;
  /** Stripe checkout session or invoice id, WeChat out_trade_no: the payment row's unique key. */
  providerPaymentId: string;
  /** Stripe PaymentIntent, WeChat transaction_id: what later refunds and disputes refer to. */
  providerReference: string | null;
  order: OrderSource;
  amountMinor: number;
  currency: string;
  /** A subscription period's end (its credits may expire then). */
  periodEnd?: Date;
  subscription?: SubscriptionState;
  /** Provider facts worth keeping on the payment row (invoice URL, …). */
  details?: Record<string, string>;
}

/** A delayed payment method (bank debit) was started: record the order, grant nothing yet. */
export interface PaymentPending {
  kind: 'payment.pending';
  provider: PaymentProvider;
  providerPaymentId: string;
  providerReference: string | null;
  payer: PayerReference;
  purchase: PurchaseSnapshot;
  amountMinor: number;
  currency: string;
}

/** A pending payment that will never complete (failed bank debit, closed order). */
export interface PaymentFailed {
  kind: 'payment.failed';
  provider: PaymentProvider;
  providerPaymentId: string;
  status: 'failed' | 'expired';
}

export interface RefundSucceeded {
  kind: 'refund.succeeded';
  provider: PaymentProvider;
  payment: PaymentLookup;
  /** The provider's refund id, or for Stripe's cumulative totals `total:<refundedMinor>`. */
  refundId: string;
  /** Exactly one of: this refund's amount (WeChat), or the total refunded so far (Stripe). */
  refundMinor?: number;
  refundedTotalMinor?: number;
  currency: string;
  /** Whose payment it is: an unknown payment of ours is retried (it may still be in flight), else ignored. */
  owner: PaymentOwner;
}

/**
 * `merchant`: every payment of this merchant account is ours (WeChat: orders are created by the app).
 * A payer reference: ours when it names one of our users or customers. `unknown`: ignore if not stored.
 */
export type PaymentOwner = 'merchant' | 'unknown' | PayerReference;

export interface DisputeChanged {
  kind: 'dispute.opened' | 'dispute.won' | 'dispute.lost';
  provider: PaymentProvider;
  payment: PaymentLookup;
  disputeId: string;
  amountMinor: number;
  currency: string;
  owner: PaymentOwner;
}

export interface SubscriptionState {
  providerSubscriptionId: string;
  plan: 'pro_monthly' | 'pro_yearly';
  /** The provider's status: active, trialing, past_due, canceled, unpaid, incomplete, … */
  status: string;
  currentPeriodEnd: Date | null;
  /** Null when the event does not say (an invoice): the stored value stays. */
  cancelAtPeriodEnd: boolean | null;
  /** When the provider produced this state; older states never overwrite newer ones. */
  observedAt: Date;
}

export interface SubscriptionChanged {
  kind: 'subscription.changed';
  provider: 'stripe';
  payer: PayerReference;
  subscription: SubscriptionState;
}

/** A finished checkout that grants nothing itself (subscription mode): remember who the customer is. */
export interface CustomerLinked {
  kind: 'customer.linked';
  provider: 'stripe';
  userId: string;
  customerId: string;
  subscription?: SubscriptionState;
}

export interface Ignored {
  kind: 'ignored';
  /** Why, for the log and the response body. */
  reason: string;
}

export type PaymentEvent =
  | PaymentSucceeded
  | PaymentPending
  | PaymentFailed
  | RefundSucceeded
  | DisputeChanged
  | SubscriptionChanged
  | CustomerLinked
  | Ignored;
