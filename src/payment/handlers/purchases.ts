import 'server-only';
import { siteConfig } from '@site-config';
import type { TransactionSql as Sql } from 'postgres';
import type { Payment } from '@/db/schema';
import { PaymentError } from '../errors';
import type {
  PayerReference,
  PaymentFailed,
  PaymentPending,
  PaymentSucceeded,
  PurchaseSnapshot,
} from '../events';
import { findPayer, insertPayment, lockPayment, saveSubscription, updatePayment } from '../store';
import { grantPurchase, type HandleOptions, type HandleOutcome, resolvePurchase } from './core';

/**
 * A payment becoming paid, exactly once. The transaction that inserts the payment row (Stripe), or that
 * moves a stored order from `pending` to `paid` under its row lock (WeChat orders, delayed Stripe
 * methods), is the one that grants; every other delivery of the same payment finds it claimed.
 */

export async function recordSuccess(
  tx: Sql,
  event: PaymentSucceeded,
  options: HandleOptions,
): Promise<HandleOutcome> {
  const stored = await lockPayment(tx, event.provider, { providerPaymentId: event.providerPaymentId });
  if (stored) return completeStoredOrder(tx, stored, event, options);
  const { order } = event;
  if (order.kind === 'stored') {
    throw new PaymentError(
      'UNMATCHED_PAYMENT',
      `${event.provider} order ${event.providerPaymentId} is not one of ours`,
    );
  }
  const { inserted, purchase } = await insertFromSnapshot(
    tx,
    event,
    order.payer,
    order.purchase,
    options.now ?? new Date(),
  );
  if (!inserted) return { outcome: 'duplicate', paymentId: null };
  if (event.subscription) await saveSubscription(tx, inserted.userId, event.subscription);
  if (!purchase) return needsAttention(inserted);
  return grant(tx, inserted, event, options);
}

/**
 * Inserts the payment a provider's snapshot describes, for its user: `paid` (or `needs_attention` when
 * the snapshot resolves to no credits) when `paidAt` is given, else `pending`. `inserted` is null for
 * every transaction but the one that inserted it.
 */
async function insertFromSnapshot(
  tx: Sql,
  event: PaymentSucceeded | PaymentPending,
  payer: PayerReference,
  snapshot: PurchaseSnapshot,
  paidAt: Date | null,
): Promise<{ inserted: Payment | null; purchase: { credits: number } | null }> {
  const userId = await findPayer(tx, payer);
  if (!userId) {
    throw new PaymentError(
      'UNMATCHED_PAYMENT',
      `${event.provider} payment ${event.providerPaymentId} cannot be matched to a user`,
    );
  }
  const purchase = resolvePurchase(snapshot);
  const inserted = await insertPayment(tx, {
    provider: event.provider,
    providerPaymentId: event.providerPaymentId,
    providerReference: event.providerReference,
    userId,
    type: snapshot.type,
    scene: snapshot.scene,
    amountMinor: event.amountMinor,
    currency: event.currency,
    status: paidAt === null ? 'pending' : purchase ? 'paid' : 'needs_attention',
    credits: purchase?.credits ?? 0,
    metadata: paymentMetadata(event, snapshot),
    paidAt,
  });
  return { inserted, purchase };
}

async function completeStoredOrder(
  tx: Sql,
  stored: Payment,
  event: PaymentSucceeded,
  options: HandleOptions,
): Promise<HandleOutcome> {
  if (stored.status !== 'pending' && stored.status !== 'expired')
    return { outcome: 'duplicate', paymentId: stored.id };
  if (stored.amountMinor !== event.amountMinor || stored.currency !== event.currency) {
    throw new PaymentError(
      'ORDER_MISMATCH',
      `${event.provider} payment ${event.providerPaymentId}: paid ${event.amountMinor} ${event.currency}, ` +
        `the order is for ${stored.amountMinor} ${stored.currency}`,
    );
  }
  const purchase = resolvePurchase({
    type: stored.type,
    scene: stored.scene,
    credits: stored.credits > 0 ? stored.credits : null,
  });
  const status = purchase ? 'paid' : 'needs_attention';
  const paidAt = options.now ?? new Date();
  const metadata = paymentMetadata(event);
  await updatePayment(tx, stored.id, {
    status,
    providerReference: event.providerReference,
    paidAt,
    metadata,
  });
  const paid: Payment = {
    ...stored,
    status,
    providerReference: stored.providerReference ?? event.providerReference,
  };
  if (event.subscription) await saveSubscription(tx, stored.userId, event.subscription);
  if (!purchase) return needsAttention(paid);
  return grant(tx, paid, event, options);
}

async function grant(
  tx: Sql,
  paid: Payment,
  event: PaymentSucceeded,
  options: HandleOptions,
): Promise<HandleOutcome> {
  const now = options.now ?? new Date();
  if (event.periodEnd && event.periodEnd <= now && expiresWithPeriod(paid.scene)) {
    // Delivered after the period it paid for had ended: its credits would expire on arrival.
    console.warn(
      `[payments] payment ${paid.id}: period ended ${event.periodEnd.toISOString()}, nothing to grant`,
    );
    await updatePayment(tx, paid.id, { status: paid.status, metadata: { grant: 'skipped_period_ended' } });
    return { outcome: 'recorded', paymentId: paid.id, detail: 'period already ended' };
  }
  const result = await grantPurchase(tx, paid, { periodEnd: event.periodEnd, now: options.now });
  if (result.ok) return { outcome: 'granted', paymentId: paid.id, transactionId: result.transactionId };
  if (result.reason === 'DUPLICATE') return { outcome: 'duplicate', paymentId: paid.id };
  throw new Error(
    `payment ${paid.id}: its grant key was used for another grant (transaction ${result.transactionId})`,
  );
}

function expiresWithPeriod(scene: string): boolean {
  return (
    (scene === 'pro_monthly' || scene === 'pro_yearly') &&
    siteConfig.credits.plans[scene].creditsExpireAtPeriodEnd
  );
}

function needsAttention(row: Payment): HandleOutcome {
  console.error(
    `[payments] ${row.provider} payment ${row.providerPaymentId} (payment ${row.id}) bought ${row.type}/${row.scene}, ` +
      'which no longer resolves to credits: recorded as needs_attention, nothing granted',
  );
  return { outcome: 'recorded', paymentId: row.id, detail: 'needs_attention' };
}

function paymentMetadata(
  event: PaymentSucceeded | PaymentPending,
  purchase?: PurchaseSnapshot,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...('details' in event ? event.details : {}) };
  if ('periodEnd' in event && event.periodEnd) metadata.periodEnd = event.periodEnd.toISOString();
  if ('subscription' in event && event.subscription) {
    metadata.subscriptionId = event.subscription.providerSubscriptionId;
  }
  if (purchase?.expiresInDays !== undefined) metadata.expiresInDays = purchase.expiresInDays;
  return metadata;
}

/** A delayed method started paying: keep the order as pending, so its success finds it and grants. */
export async function recordPending(tx: Sql, event: PaymentPending): Promise<HandleOutcome> {
  const { inserted } = await insertFromSnapshot(tx, event, event.payer, event.purchase, null);
  return inserted
    ? { outcome: 'recorded', paymentId: inserted.id, detail: 'pending' }
    : { outcome: 'duplicate', paymentId: null };
}

export async function recordFailure(tx: Sql, event: PaymentFailed): Promise<HandleOutcome> {
  const stored = await lockPayment(tx, event.provider, { providerPaymentId: event.providerPaymentId });
  if (stored?.status !== 'pending') return { outcome: 'duplicate', paymentId: stored?.id ?? null };
  await updatePayment(tx, stored.id, { status: event.status });
  return { outcome: 'recorded', paymentId: stored.id, detail: event.status };
}
