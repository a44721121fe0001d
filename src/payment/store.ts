import 'server-only';
import type { Sql as Pool, TransactionSql } from 'postgres';
import type { Payment, PaymentAdjustment, PaymentStatus } from '@/db/schema';
import type { PayerReference, PaymentLookup, PaymentProvider, SubscriptionState } from './events';

/**
 * The only writer of `payment`, `payment_adjustment`, `billing_customer` and `subscription`. Every
 * function runs on the caller's transaction (`tx`), so a payment's row and the credits it moves commit
 * together. Rows that are claimed (a payment becoming paid, a refund being applied) are locked first:
 * whoever holds the lock and still sees the old state is the one transaction that acts.
 */

type Sql = TransactionSql | Pool;

// The shared client hands timestamps through as text (drizzle's setting): bind ISO strings, parse on read.
const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
const toDate = (value: unknown): Date => new Date(String(value));

const paymentColumns = (sql: Sql) => sql`
  id, provider, provider_payment_id AS "providerPaymentId", user_id AS "userId", type, scene,
  amount_minor AS "amountMinor", currency, status, credits, provider_reference AS "providerReference",
  refunded_minor AS "refundedMinor", paid_at AS "paidAt", metadata, created_at AS "createdAt",
  updated_at AS "updatedAt"`;

type RawPayment = Omit<Payment, 'id' | 'amountMinor' | 'refundedMinor'> & {
  id: string;
  amountMinor: string;
  refundedMinor: string;
};

/** postgres returns bigint as text; payment figures are always safe integers. */
function toPayment(row: RawPayment | undefined): Payment | null {
  if (!row) return null;
  return {
    ...row,
    id: Number(row.id),
    amountMinor: Number(row.amountMinor),
    refundedMinor: Number(row.refundedMinor),
    paidAt: row.paidAt === null ? null : toDate(row.paidAt),
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
  };
}

/** The user a payer reference names: our user id when it exists, else the owner of the customer. */
export async function findPayer(tx: Sql, payer: PayerReference): Promise<string | null> {
  if (payer.userId) {
    const [user] = await tx<{ id: string }[]>`SELECT id FROM "user" WHERE id = ${payer.userId}`;
    if (user) return user.id;
  }
  if (payer.customerId) {
    const [owner] = await tx<{ userId: string }[]>`
      SELECT user_id AS "userId" FROM billing_customer WHERE provider = 'stripe' AND customer_id = ${payer.customerId}`;
    if (owner) return owner.userId;
  }
  return null;
}

export async function lockPayment(
  tx: Sql,
  provider: PaymentProvider,
  lookup: PaymentLookup,
): Promise<Payment | null> {
  const rows =
    'providerPaymentId' in lookup
      ? await tx<RawPayment[]>`SELECT ${paymentColumns(tx)} FROM payment
          WHERE provider = ${provider} AND provider_payment_id = ${lookup.providerPaymentId} FOR UPDATE`
      : await tx<RawPayment[]>`SELECT ${paymentColumns(tx)} FROM payment
          WHERE provider = ${provider} AND provider_reference = ${lookup.providerReference} FOR UPDATE`;
  return toPayment(rows[0]);
}

export interface NewPaymentRow {
  provider: PaymentProvider;
  providerPaymentId: string;
  providerReference: string | null;
  userId: string;
  type: Payment['type'];
  scene: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  credits: number;
  metadata: Record<string, unknown>;
  paidAt: Date | null;
}

/**
 * Inserts the payment unless its (provider, provider id) exists. Answers the row only to the one
 * transaction that inserted it: a concurrent duplicate waits on the unique index, then gets null.
 */
export async function insertPayment(tx: Sql, row: NewPaymentRow): Promise<Payment | null> {
  const [inserted] = await tx<RawPayment[]>`
    INSERT INTO payment (provider, provider_payment_id, provider_reference, user_id, type, scene, amount_minor,
      currency, status, credits, metadata, paid_at)
    VALUES (${row.provider}, ${row.providerPaymentId}, ${row.providerReference}, ${row.userId}, ${row.type},
      ${row.scene}, ${row.amountMinor}, ${row.currency}, ${row.status}, ${row.credits}, ${JSON.stringify(row.metadata)}::jsonb,
      ${iso(row.paidAt)}::timestamptz)
    ON CONFLICT (provider, provider_payment_id) DO NOTHING
    RETURNING ${paymentColumns(tx)}`;
  return toPayment(inserted);
}

/** Moves a locked payment to `status`, merging `metadata` and keeping a reference once set. */
export async function updatePayment(
  tx: Sql,
  id: number,
  changes: {
    status: PaymentStatus;
    providerReference?: string | null;
    refundedMinor?: number;
    paidAt?: Date;
    metadata?: Record<string, unknown>;
  },
): Promise<void> {
  await tx`
    UPDATE payment SET
      status = ${changes.status},
      provider_reference = coalesce(provider_reference, ${changes.providerReference ?? null}),
      refunded_minor = coalesce(${changes.refundedMinor ?? null}::bigint, refunded_minor),
      paid_at = coalesce(paid_at, ${iso(changes.paidAt)}::timestamptz),
      metadata = coalesce(metadata, '{}'::jsonb) || ${JSON.stringify(changes.metadata ?? {})}::jsonb,
      updated_at = now()
    WHERE id = ${id}`;
}

type RawAdjustment = Omit<PaymentAdjustment, 'id' | 'paymentId' | 'amountMinor' | 'clawbackTransactionId'> & {
  id: string;
  paymentId: string;
  amountMinor: string;
  clawbackTransactionId: string | null;
};

const adjustmentColumns = (sql: Sql) => sql`
  id, payment_id AS "paymentId", kind, provider_reference AS "providerReference", amount_minor AS "amountMinor",
  status, credits_requested AS "creditsRequested", credits_taken AS "creditsTaken",
  clawback_transaction_id AS "clawbackTransactionId", restore_transaction_id AS "restoreTransactionId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function toAdjustment(row: RawAdjustment | undefined): PaymentAdjustment | null {
  if (!row) return null;
  return {
    ...row,
    id: Number(row.id),
    paymentId: Number(row.paymentId),
    amountMinor: Number(row.amountMinor),
    clawbackTransactionId: row.clawbackTransactionId === null ? null : Number(row.clawbackTransactionId),
    restoreTransactionId: row.restoreTransactionId === null ? null : Number(row.restoreTransactionId),
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
  };
}

/** Records a refund or dispute once: null when this (payment, kind, reference) was recorded before. */
export async function insertAdjustment(
  tx: Sql,
  row: { paymentId: number; kind: 'refund' | 'dispute'; providerReference: string; amountMinor: number },
): Promise<PaymentAdjustment | null> {
  const [inserted] = await tx<RawAdjustment[]>`
    INSERT INTO payment_adjustment (payment_id, kind, provider_reference, amount_minor, status, credits_requested, credits_taken)
    VALUES (${row.paymentId}, ${row.kind}, ${row.providerReference}, ${row.amountMinor},
      ${row.kind === 'refund' ? 'applied' : 'open'}, 0, 0)
    ON CONFLICT (payment_id, kind, provider_reference) DO NOTHING
    RETURNING ${adjustmentColumns(tx)}`;
  return toAdjustment(inserted);
}

export async function findAdjustment(
  tx: Sql,
  paymentId: number,
  kind: 'refund' | 'dispute',
  providerReference: string,
): Promise<PaymentAdjustment | null> {
  const [row] = await tx<RawAdjustment[]>`SELECT ${adjustmentColumns(tx)} FROM payment_adjustment
    WHERE payment_id = ${paymentId} AND kind = ${kind} AND provider_reference = ${providerReference}`;
  return toAdjustment(row);
}

/** Credits the payment's refunds and open or lost disputes have asked back so far (won disputes gave them back). */
export async function creditsAskedBack(tx: Sql, paymentId: number): Promise<number> {
  const [row] = await tx<{ total: string }[]>`
    SELECT coalesce(sum(credits_requested), 0) AS total FROM payment_adjustment
    WHERE payment_id = ${paymentId} AND status <> 'won'`;
  return Number(row?.total ?? 0);
}

export async function updateAdjustment(
  tx: Sql,
  id: number,
  changes: {
    status?: PaymentAdjustment['status'];
    creditsRequested?: number;
    creditsTaken?: number;
    clawbackTransactionId?: number | null;
    restoreTransactionId?: number | null;
  },
): Promise<void> {
  await tx`
    UPDATE payment_adjustment SET
      status = coalesce(${changes.status ?? null}, status),
      credits_requested = coalesce(${changes.creditsRequested ?? null}::integer, credits_requested),
      credits_taken = coalesce(${changes.creditsTaken ?? null}::integer, credits_taken),
      clawback_transaction_id = coalesce(${changes.clawbackTransactionId ?? null}::bigint, clawback_transaction_id),
      restore_transaction_id = coalesce(${changes.restoreTransactionId ?? null}::bigint, restore_transaction_id),
      updated_at = now()
    WHERE id = ${id}`;
}

/** The credits the payment's GRANT gave (0 when it granted nothing), the most its clawbacks may ask back. */
export async function grantedCredits(tx: Sql, paymentId: number): Promise<number> {
  const [row] = await tx<{ amount: number }[]>`
    SELECT amount FROM credit_transaction WHERE payment_id = ${paymentId} AND type = 'GRANT'`;
  return row?.amount ?? 0;
}

/** Remembers the user's Stripe Customer; the first one recorded for a user stays. */
export async function linkCustomer(tx: Sql, userId: string, customerId: string): Promise<void> {
  await tx`INSERT INTO billing_customer (user_id, provider, customer_id) VALUES (${userId}, 'stripe', ${customerId})
    ON CONFLICT DO NOTHING`;
}

/**
 * Stores a subscription's state unless a newer one is stored already: providers deliver out of order,
 * and an old `active` must not revive a subscription a later event cancelled. A cancelled subscription
 * is final (Stripe never reactivates one), which also settles two events of the same second.
 */
export async function saveSubscription(tx: Sql, userId: string, state: SubscriptionState): Promise<void> {
  await tx`
    INSERT INTO subscription (provider, provider_subscription_id, user_id, plan, status, current_period_end,
      cancel_at_period_end, last_event_at)
    VALUES ('stripe', ${state.providerSubscriptionId}, ${userId}, ${state.plan}, ${state.status},
      ${iso(state.currentPeriodEnd)}::timestamptz, ${state.cancelAtPeriodEnd ?? false},
      ${iso(state.observedAt)}::timestamptz)
    ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET
      plan = EXCLUDED.plan,
      status = EXCLUDED.status,
      current_period_end = coalesce(EXCLUDED.current_period_end, subscription.current_period_end),
      cancel_at_period_end = coalesce(${state.cancelAtPeriodEnd}, subscription.cancel_at_period_end),
      last_event_at = EXCLUDED.last_event_at,
      updated_at = now()
    WHERE subscription.last_event_at <= EXCLUDED.last_event_at
      AND subscription.status NOT IN ('canceled', 'incomplete_expired')`;
}
