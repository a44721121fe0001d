import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { user } from './auth.schema';

/**
 * The credits ledger and the payments that feed it. The database enforces what must never break
 * (see docs/ledger.md): signs per type, no negative balances or lots, one grant per payment, one effect
 * per idempotency key, and an append-only log (a trigger in drizzle/0001_ledger_functions.sql).
 * Only src/credits/server.ts writes `user_credit`, `credit_transaction`, `credit_lot` and
 * `credit_allocation`, through the SQL functions of that migration.
 */

/** The four transaction types. Never add a fifth: finer meaning lives in `source_type`. */
export const creditTransactionType = pgEnum('credit_transaction_type', [
  'GRANT',
  'CONSUME',
  'EXPIRE',
  'REFUND',
]);

/** A payment's life: `pending` until paid (WeChat orders, delayed Stripe methods), then refunds and disputes. */
export const paymentStatuses = [
  'pending',
  'paid',
  'partially_refunded',
  'refunded',
  'disputed',
  'dispute_lost',
  /** Paid, but what it bought could not be resolved: no credits granted; an operator must look. */
  'needs_attention',
  /** A pending order that was never paid (closed by the provider or past its expiry). */
  'expired',
  /** A delayed payment method (bank debit) that did not go through. */
  'failed',
] as const;

/** Statuses under which a purchase still counts as owned: a partial refund keeps the plan. */
export const ownedPaymentStatuses = [
  'paid',
  'partially_refunded',
] as const satisfies readonly (typeof paymentStatuses)[number][];

/** Subscription statuses that still give the plan (Stripe keeps retrying a past-due renewal). */
export const liveSubscriptionStatuses = ['active', 'trialing', 'past_due'] as const;

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const userCredit = pgTable(
  'user_credit',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => user.id),
    currentCredits: bigint('current_credits', { mode: 'number' }).notNull().default(0),
    lifetimeGranted: bigint('lifetime_granted', { mode: 'number' }).notNull().default(0),
    lifetimeConsumed: bigint('lifetime_consumed', { mode: 'number' }).notNull().default(0),
    lifetimeExpired: bigint('lifetime_expired', { mode: 'number' }).notNull().default(0),
    lifetimeRefunded: bigint('lifetime_refunded', { mode: 'number' }).notNull().default(0),
    /**
     * No lot of this user with credits left expires before this instant (NULL: none expires). A lower
     * bound kept by every writer under the user's row lock, so a spend's guarded update can see, on the
     * row it locks, whether lots are due, even when a grant committed while it waited.
     */
    earliestExpiryAt: timestamp('earliest_expiry_at', { withTimezone: true }),
    createdAt: createdAt(),
    /** The user's ledger clock: the time of their latest change. It never goes backwards. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check('user_credit_current_non_negative', sql`${table.currentCredits} >= 0`),
    check(
      'user_credit_lifetime_non_negative',
      sql`${table.lifetimeGranted} >= 0 AND ${table.lifetimeConsumed} >= 0 AND ${table.lifetimeExpired} >= 0 AND ${table.lifetimeRefunded} >= 0`,
    ),
    check(
      'user_credit_totals_add_up',
      sql`${table.currentCredits} = ${table.lifetimeGranted} + ${table.lifetimeRefunded} - ${table.lifetimeConsumed} - ${table.lifetimeExpired}`,
    ),
  ],
);

export const payment = pgTable(
  'payment',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    provider: text('provider', { enum: ['stripe', 'wechat'] }).notNull(),
    /** The provider's id for this payment: Stripe checkout session or invoice id, WeChat out_trade_no. */
    providerPaymentId: text('provider_payment_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id),
    type: text('type', { enum: ['credit_pack', 'subscription', 'one_time'] }).notNull(),
    /** What was bought: `credits_<packId>`, `pro_monthly`, `pro_yearly`, `lifetime`. */
    scene: text('scene').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    /** The credits this payment buys, snapshotted at checkout so config changes cannot alter a paid order. */
    credits: integer('credits').notNull(),
    /**
     * The provider's id of the money movement, which its refunds and disputes refer to: the Stripe
     * PaymentIntent, the WeChat Pay transaction_id.
     */
    providerReference: text('provider_reference'),
    /** Money refunded so far, in the same minor unit and currency as `amountMinor`. */
    refundedMinor: bigint('refunded_minor', { mode: 'number' }).notNull().default(0),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('payment_provider_payment_id_uq').on(table.provider, table.providerPaymentId),
    uniqueIndex('payment_provider_reference_uq')
      .on(table.provider, table.providerReference)
      .where(sql`${table.providerReference} IS NOT NULL`),
    index('payment_user_id_idx').on(table.userId, table.id.desc()),
    check('payment_amount_non_negative', sql`${table.amountMinor} >= 0`),
    check('payment_currency_iso', sql`${table.currency} ~ '^[A-Z]{3}$'`),
    check('payment_credits_non_negative', sql`${table.credits} >= 0`),
    check(
      'payment_refunded_in_range',
      sql`${table.refundedMinor} >= 0 AND ${table.refundedMinor} <= ${table.amountMinor}`,
    ),
    check(
      'payment_status_known',
      sql`${table.status} IN ('pending', 'paid', 'partially_refunded', 'refunded', 'disputed', 'dispute_lost', 'needs_attention', 'expired', 'failed')`,
    ),
  ],
);

/**
 * What happened to a payment after it was paid: each refund and each dispute, once (unique per payment
 * and provider reference), with the credits it asked back, took back, and could not (the shortfall:
 * credits already spent). Written only by src/payment/store.ts, in the transaction that moves the credits.
 */
export const paymentAdjustment = pgTable(
  'payment_adjustment',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    paymentId: bigint('payment_id', { mode: 'number' })
      .notNull()
      .references(() => payment.id),
    kind: text('kind', { enum: ['refund', 'dispute'] }).notNull(),
    /** The provider's refund or dispute id (Stripe refunds: the cumulative refunded amount it reported). */
    providerReference: text('provider_reference').notNull(),
    /** Money this adjustment moved back to the buyer, in the payment's minor unit. */
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    /** `applied` (refunds), `open` / `won` / `lost` (disputes). */
    status: text('status', { enum: ['applied', 'open', 'won', 'lost'] }).notNull(),
    creditsRequested: integer('credits_requested').notNull(),
    creditsTaken: integer('credits_taken').notNull(),
    /** The CONSUME row that took the credits back, when any were left to take. */
    clawbackTransactionId: bigint('clawback_transaction_id', { mode: 'number' }).references(
      () => creditTransaction.id,
    ),
    /** The REFUND row that gave them back after a dispute was won. */
    restoreTransactionId: bigint('restore_transaction_id', { mode: 'number' }).references(
      () => creditTransaction.id,
    ),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('payment_adjustment_reference_uq').on(table.paymentId, table.kind, table.providerReference),
    check('payment_adjustment_amount_non_negative', sql`${table.amountMinor} >= 0`),
    check(
      'payment_adjustment_credits_in_range',
      sql`${table.creditsTaken} >= 0 AND ${table.creditsTaken} <= ${table.creditsRequested}`,
    ),
    check(
      'payment_adjustment_status_fits_kind',
      sql`(${table.kind} = 'refund' AND ${table.status} = 'applied') OR (${table.kind} = 'dispute' AND ${table.status} IN ('open', 'won', 'lost'))`,
    ),
  ],
);

/** The provider's customer of each user (one Stripe Customer per user, created at the first checkout). */
export const billingCustomer = pgTable(
  'billing_customer',
  {
    userId: text('user_id')
      .notNull()
      .references(() => user.id),
    provider: text('provider', { enum: ['stripe'] }).notNull(),
    customerId: text('customer_id').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.provider] }),
    uniqueIndex('billing_customer_customer_id_uq').on(table.provider, table.customerId),
  ],
);

/**
 * A subscription's state as the provider last reported it. Events arrive in any order: each carries its
 * creation time, and an update older than the one stored is ignored (`lastEventAt`).
 */
export const subscription = pgTable(
  'subscription',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    provider: text('provider', { enum: ['stripe'] }).notNull(),
    providerSubscriptionId: text('provider_subscription_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id),
    plan: text('plan', { enum: ['pro_monthly', 'pro_yearly'] }).notNull(),
    /** The provider's status: active, trialing, past_due, canceled, unpaid, incomplete, ... */
    status: text('status').notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    lastEventAt: timestamp('last_event_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('subscription_provider_id_uq').on(table.provider, table.providerSubscriptionId),
    index('subscription_user_id_idx').on(table.userId),
  ],
);

export const creditTransaction = pgTable(
  'credit_transaction',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id),
    type: creditTransactionType('type').notNull(),
    /** Signed: GRANT and REFUND positive, CONSUME and EXPIRE negative, so SUM(amount) is the balance. */
    amount: integer('amount').notNull(),
    balanceAfter: bigint('balance_after', { mode: 'number' }).notNull(),
    sourceType: text('source_type').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** md5 of the request that created the row, to tell a replay from a conflicting reuse of a key. */
    requestFingerprint: text('request_fingerprint'),
    /** A refund's consume, an expiry's grant. */
    relatedTransactionId: bigint('related_transaction_id', { mode: 'number' }),
    paymentId: bigint('payment_id', { mode: 'number' }).references(() => payment.id),
    expirationDate: timestamp('expiration_date', { withTimezone: true }),
    description: text('description'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (table) => [
    index('credit_transaction_user_history_idx').on(table.userId, table.id.desc()),
    index('credit_transaction_user_type_history_idx').on(table.userId, table.type, table.id.desc()),
    uniqueIndex('credit_transaction_user_idempotency_key_uq').on(table.userId, table.idempotencyKey),
    uniqueIndex('credit_transaction_payment_grant_uq')
      .on(table.paymentId)
      .where(sql`${table.type} = 'GRANT' AND ${table.paymentId} IS NOT NULL`),
    index('credit_transaction_related_idx')
      .on(table.relatedTransactionId)
      .where(sql`${table.relatedTransactionId} IS NOT NULL`),
    check(
      'credit_transaction_amount_sign',
      sql`(${table.type} IN ('GRANT', 'REFUND') AND ${table.amount} > 0) OR (${table.type} IN ('CONSUME', 'EXPIRE') AND ${table.amount} < 0)`,
    ),
    check('credit_transaction_amount_bound', sql`abs(${table.amount}) <= 1000000000`),
    check('credit_transaction_balance_after_non_negative', sql`${table.balanceAfter} >= 0`),
    check('credit_transaction_source_type_format', sql`${table.sourceType} ~ '^[a-z][a-z0-9_]{0,62}$'`),
    check(
      'credit_transaction_expiration_only_on_grant',
      sql`${table.expirationDate} IS NULL OR ${table.type} = 'GRANT'`,
    ),
    check(
      'credit_transaction_refund_has_consume',
      sql`${table.type} <> 'REFUND' OR ${table.relatedTransactionId} IS NOT NULL`,
    ),
    check(
      'credit_transaction_key_has_fingerprint',
      sql`${table.idempotencyKey} IS NULL OR ${table.requestFingerprint} IS NOT NULL`,
    ),
  ],
);

/** A grant's unspent remainder. Mutable state, so it lives here and not on the immutable log row. */
export const creditLot = pgTable(
  'credit_lot',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id),
    grantTransactionId: bigint('grant_transaction_id', { mode: 'number' })
      .notNull()
      .unique()
      .references(() => creditTransaction.id),
    amount: integer('amount').notNull(),
    remaining: integer('remaining').notNull(),
    // Derived, for the partial indexes below. Indexing `remaining > 0` directly would make every spend's
    // UPDATE of `remaining` touch every index of the table; this flag changes only when a lot empties
    // (or a refund refills it), so ordinary spends are HOT updates that leave the indexes alone.
    hasRemaining: boolean('has_remaining').notNull().generatedAlwaysAs(sql`remaining > 0`),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    // Burn order: soonest expiry first, never-expiring last (NULLS LAST), ties by creation order.
    index('credit_lot_burn_order_idx')
      .on(table.userId, table.expiresAt.asc().nullsLast(), table.id)
      .where(sql`${table.hasRemaining}`),
    index('credit_lot_expiry_scan_idx')
      .on(table.expiresAt, table.userId)
      .where(sql`${table.hasRemaining} AND ${table.expiresAt} IS NOT NULL`),
    check('credit_lot_amount_positive', sql`${table.amount} > 0`),
    check(
      'credit_lot_remaining_in_range',
      sql`${table.remaining} >= 0 AND ${table.remaining} <= ${table.amount}`,
    ),
  ],
);

/** Which lots each CONSUME, EXPIRE and REFUND touched, and by how much (always positive). */
export const creditAllocation = pgTable(
  'credit_allocation',
  {
    transactionId: bigint('transaction_id', { mode: 'number' })
      .notNull()
      .references(() => creditTransaction.id),
    lotId: bigint('lot_id', { mode: 'number' })
      .notNull()
      .references(() => creditLot.id),
    amount: integer('amount').notNull(),
  },
  (table) => [
    // No index on lot_id: nothing looks allocations up by lot on a hot path, and lots are never deleted,
    // so it would only add an index write to every spend.
    primaryKey({ columns: [table.transactionId, table.lotId] }),
    check('credit_allocation_amount_positive', sql`${table.amount} > 0`),
  ],
);

export type UserCredit = typeof userCredit.$inferSelect;
export type CreditTransaction = typeof creditTransaction.$inferSelect;
export type CreditTransactionType = (typeof creditTransactionType.enumValues)[number];
export type CreditLot = typeof creditLot.$inferSelect;
export type CreditAllocation = typeof creditAllocation.$inferSelect;
export type Payment = typeof payment.$inferSelect;
export type NewPayment = typeof payment.$inferInsert;
export type PaymentStatus = Payment['status'];
export type PaymentAdjustment = typeof paymentAdjustment.$inferSelect;
export type BillingCustomer = typeof billingCustomer.$inferSelect;
export type Subscription = typeof subscription.$inferSelect;
