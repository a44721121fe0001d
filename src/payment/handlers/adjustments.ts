import 'server-only';
import type { TransactionSql as Sql } from 'postgres';
import { refundCredits } from '@/credits';
import { clawbackCredits } from '@/credits/server';
import type { Payment, PaymentAdjustment, PaymentStatus } from '@/db/schema';
import { PaymentError } from '../errors';
import type {
  DisputeChanged,
  PaymentLookup,
  PaymentOwner,
  PaymentProvider,
  RefundSucceeded,
} from '../events';
import {
  creditsAskedBack,
  findAdjustment,
  findPayer,
  grantedCredits,
  insertAdjustment,
  lockPayment,
  updateAdjustment,
  updatePayment,
} from '../store';
import type { HandleOptions, HandleOutcome } from './core';

/**
 * Money going back to the buyer takes back the credits it bought. Each refund and each dispute is
 * recorded once (a `payment_adjustment` row, unique per payment and provider reference) in the same
 * transaction as its clawback, under the payment's row lock, so deliveries in any order and number add
 * up to the right total: a refund of half the money asks back half the credits, all refunds together
 * never more than the payment granted. A clawback takes at most what the user still has; the rest is
 * the recorded shortfall. A dispute that is won gives back what its clawback took.
 */

export async function applyRefund(
  tx: Sql,
  event: RefundSucceeded,
  options: HandleOptions,
): Promise<HandleOutcome> {
  const paid = await lockPaid(tx, event.provider, event.payment, event.owner);
  if (!paid) return { outcome: 'ignored', reason: 'refund of a payment that is not ours' };
  expectCurrency(paid, event.currency);
  const total = Math.min(
    paid.amountMinor,
    event.refundedTotalMinor ?? paid.refundedMinor + (event.refundMinor ?? 0),
  );
  // Stripe reports running totals: a total no larger than the one recorded is a redelivery or stale.
  if (total <= paid.refundedMinor) return { outcome: 'duplicate', paymentId: paid.id };
  const adjustment = await insertAdjustment(tx, {
    paymentId: paid.id,
    kind: 'refund',
    providerReference: event.refundId,
    amountMinor: total - paid.refundedMinor,
  });
  if (!adjustment) return { outcome: 'duplicate', paymentId: paid.id };
  await takeBack(tx, paid, adjustment, await owedForRefunds(tx, paid, total), 'payment_refunded', options);
  const refundStatus = statusAfterRefunds({ ...paid, refundedMinor: total });
  // An open or lost dispute stays the payment's headline; its refunds are still recorded.
  const keepsDispute = paid.status === 'disputed' || paid.status === 'dispute_lost';
  await updatePayment(tx, paid.id, {
    status: keepsDispute ? paid.status : settled(paid, refundStatus),
    refundedMinor: total,
  });
  return { outcome: 'recorded', paymentId: paid.id, detail: refundStatus };
}

/** Credits owed back for `refundedMinor` of the money: that share of what the payment granted, rounded down. */
async function owedForRefunds(tx: Sql, paid: Payment, refundedMinor: number): Promise<number> {
  const granted = await grantedCredits(tx, paid.id);
  if (paid.amountMinor === 0) return granted;
  // BigInt: credits times minor units can pass 2^53 for large amounts.
  return Number((BigInt(granted) * BigInt(refundedMinor)) / BigInt(paid.amountMinor));
}

/** A payment needing attention keeps that status whatever happens next: it is the operator's only flag. */
function settled(paid: Payment, status: PaymentStatus): PaymentStatus {
  return paid.status === 'needs_attention' ? 'needs_attention' : status;
}

export async function applyDispute(
  tx: Sql,
  event: DisputeChanged,
  options: HandleOptions,
): Promise<HandleOutcome> {
  const paid = await lockPaid(tx, event.provider, event.payment, event.owner);
  if (!paid) return { outcome: 'ignored', reason: 'dispute of a payment that is not ours' };
  expectCurrency(paid, event.currency);
  let dispute = await findAdjustment(tx, paid.id, 'dispute', event.disputeId);
  const opened = !dispute;
  if (!dispute) {
    // Opened, or closed before its opening arrived: either way the funds were withdrawn first.
    const inserted = await insertAdjustment(tx, {
      paymentId: paid.id,
      kind: 'dispute',
      providerReference: event.disputeId,
      amountMinor: event.amountMinor,
    });
    if (!inserted) throw new Error(`dispute ${event.disputeId} appeared under the payment's lock`);
    dispute = await takeBack(
      tx,
      paid,
      inserted,
      await grantedCredits(tx, paid.id),
      'payment_disputed',
      options,
    );
    await updatePayment(tx, paid.id, { status: settled(paid, 'disputed') });
  }
  if (event.kind === 'dispute.opened') {
    return opened
      ? { outcome: 'recorded', paymentId: paid.id, detail: 'disputed' }
      : { outcome: 'duplicate', paymentId: paid.id };
  }
  if (dispute.status !== 'open') return { outcome: 'duplicate', paymentId: paid.id };
  if (event.kind === 'dispute.lost') {
    await updateAdjustment(tx, dispute.id, { status: 'lost' });
    await updatePayment(tx, paid.id, { status: settled(paid, 'dispute_lost') });
    return { outcome: 'recorded', paymentId: paid.id, detail: 'dispute lost' };
  }
  const restoreTransactionId = await giveBack(tx, paid, dispute, options);
  await updateAdjustment(tx, dispute.id, { status: 'won', restoreTransactionId });
  await settleRefundsAfterWin(tx, paid, dispute, options);
  await updatePayment(tx, paid.id, { status: settled(paid, statusAfterRefunds(paid)) });
  return { outcome: 'recorded', paymentId: paid.id, detail: 'dispute won' };
}

/**
 * Refunds that arrived while the dispute was open asked back nothing (the dispute had taken it all).
 * The dispute's credits are now given back, so take what those refunds still owe, as one more refund
 * adjustment of the payment, keyed by the dispute.
 */
async function settleRefundsAfterWin(
  tx: Sql,
  paid: Payment,
  dispute: PaymentAdjustment,
  options: HandleOptions,
): Promise<void> {
  if (paid.refundedMinor === 0) return;
  const settle = await insertAdjustment(tx, {
    paymentId: paid.id,
    kind: 'refund',
    providerReference: `after_dispute:${dispute.providerReference}`,
    amountMinor: 0,
  });
  if (settle) {
    await takeBack(
      tx,
      paid,
      settle,
      await owedForRefunds(tx, paid, paid.refundedMinor),
      'payment_refunded',
      options,
    );
  }
}

/** The paid payment, locked; null when it is not ours; an error (retry) when it should be but is not here yet. */
async function lockPaid(
  tx: Sql,
  provider: PaymentProvider,
  lookup: PaymentLookup,
  owner: PaymentOwner,
): Promise<Payment | null> {
  const paid = await lockPayment(tx, provider, lookup);
  if (paid && paid.status !== 'pending' && paid.status !== 'expired' && paid.status !== 'failed') return paid;
  // A stored order is ours even when not paid yet: its payment event may still be in flight, so retry.
  const ours =
    paid !== null || owner === 'merchant' || (owner !== 'unknown' && (await findPayer(tx, owner)) !== null);
  if (!ours) return null;
  const id = 'providerPaymentId' in lookup ? lookup.providerPaymentId : lookup.providerReference;
  throw new PaymentError('UNMATCHED_PAYMENT', `${provider} payment ${id} is not recorded as paid yet`);
}

function expectCurrency(paid: Payment, currency: string): void {
  if (paid.currency !== currency) {
    throw new PaymentError('ORDER_MISMATCH', `payment ${paid.id} is in ${paid.currency}, not ${currency}`);
  }
}

/**
 * Asks back what the payment's adjustments now owe, minus what earlier ones asked; takes what is left.
 * Answers the adjustment as recorded afterwards.
 */
async function takeBack(
  tx: Sql,
  paid: Payment,
  adjustment: PaymentAdjustment,
  owedInTotal: number,
  sourceType: 'payment_refunded' | 'payment_disputed',
  options: HandleOptions,
): Promise<PaymentAdjustment> {
  const asked = await creditsAskedBack(tx, paid.id);
  // Owed is a share of what the payment actually granted: nothing for one that granted nothing
  // (needs_attention, or a subscription period that had ended before its invoice arrived).
  const request = Math.max(0, owedInTotal - asked);
  if (request === 0) return adjustment;
  const result = await clawbackCredits(
    {
      userId: paid.userId,
      amount: request,
      paymentId: paid.id,
      sourceType,
      description: `${sourceType === 'payment_refunded' ? 'Refund' : 'Dispute'} of payment #${paid.id}`,
      idempotencyKey: `clawback:${adjustment.id}`,
    },
    { sql: tx, now: options.now },
  );
  if (result.shortfall > 0) {
    console.warn(
      `[payments] payment ${paid.id}: ${result.shortfall} of ${request} credits were already spent and could not be taken back`,
    );
  }
  const taken = {
    creditsRequested: request,
    creditsTaken: result.taken,
    clawbackTransactionId: result.transactionId,
  };
  await updateAdjustment(tx, adjustment.id, taken);
  return { ...adjustment, ...taken };
}

async function giveBack(
  tx: Sql,
  paid: Payment,
  dispute: PaymentAdjustment,
  options: HandleOptions,
): Promise<number | null> {
  if (dispute.clawbackTransactionId === null) return null;
  const result = await refundCredits(
    {
      userId: paid.userId,
      transactionId: dispute.clawbackTransactionId,
      sourceType: 'dispute_won',
      description: `Dispute of payment #${paid.id} won`,
      idempotencyKey: `dispute_won:${dispute.id}`,
    },
    { sql: tx, now: options.now },
  );
  if (!result.ok)
    throw new Error(`payment ${paid.id}: restoring dispute ${dispute.id} answered ${result.reason}`);
  return result.transactionId;
}

function statusAfterRefunds(paid: Payment): PaymentStatus {
  if (paid.refundedMinor === 0) return 'paid';
  return paid.refundedMinor >= paid.amountMinor ? 'refunded' : 'partially_refunded';
}
