import 'server-only';
import { siteConfig } from '@site-config';
import type { TransactionSql as Sql } from 'postgres';
import { addCreditPackCredits, addSubscriptionCredits } from '@/credits';
import type { AddCreditsResult } from '@/credits/server';
import { getSql } from '@/db';
import type { Payment } from '@/db/schema';
import { PaymentError } from '../errors';
import type { PaymentEvent, PurchaseSnapshot } from '../events';
import { findPayer, linkCustomer, saveSubscription } from '../store';
import { applyDispute, applyRefund } from './adjustments';
import { recordFailure, recordPending, recordSuccess } from './purchases';

/**
 * The one dispatch from verified provider events to the ledger. Adapters (Stripe, WeChat Pay) verify,
 * parse and normalise; everything after that happens here, whichever provider sent it. Each event is
 * handled in one database transaction: the payment's row changes and the credits it moves commit
 * together, and the row is claimed first, so a redelivered or concurrent event finds it claimed and
 * does nothing.
 */

export type HandleOutcome =
  | { outcome: 'granted'; paymentId: number; transactionId: number }
  | { outcome: 'recorded'; paymentId: number | null; detail: string }
  | { outcome: 'duplicate'; paymentId: number | null }
  | { outcome: 'ignored'; reason: string };

export interface HandleOptions {
  /** The ledger's clock (tests move it); the database's when absent. */
  now?: Date;
}

export async function handlePaymentEvent(
  event: PaymentEvent,
  options: HandleOptions = {},
): Promise<HandleOutcome> {
  if (event.kind === 'ignored') return { outcome: 'ignored', reason: event.reason };
  return getSql().begin(async (tx) => {
    switch (event.kind) {
      case 'payment.succeeded':
        return recordSuccess(tx, event, options);
      case 'payment.pending':
        return recordPending(tx, event);
      case 'payment.failed':
        return recordFailure(tx, event);
      case 'refund.succeeded':
        return applyRefund(tx, event, options);
      case 'dispute.opened':
      case 'dispute.won':
      case 'dispute.lost':
        return applyDispute(tx, event, options);
      case 'subscription.changed': {
        const userId = await findPayer(tx, event.payer);
        if (!userId) {
          throw new PaymentError(
            'UNMATCHED_PAYMENT',
            `subscription ${event.subscription.providerSubscriptionId} cannot be matched to a user`,
          );
        }
        await saveSubscription(tx, userId, event.subscription);
        return { outcome: 'recorded', paymentId: null, detail: `subscription ${event.subscription.status}` };
      }
      case 'customer.linked':
        if (!(await findPayer(tx, { userId: event.userId, customerId: null }))) {
          throw new PaymentError(
            'UNMATCHED_PAYMENT',
            `checkout of customer ${event.customerId} names no known user`,
          );
        }
        await linkCustomer(tx, event.userId, event.customerId);
        if (event.subscription) await saveSubscription(tx, event.userId, event.subscription);
        return { outcome: 'recorded', paymentId: null, detail: 'customer linked' };
    }
  });
}

/** What a purchase grants, from its snapshot, else from the config; null when neither can say. */
export function resolvePurchase(snapshot: PurchaseSnapshot): { credits: number } | null {
  const { packs, plans } = siteConfig.credits;
  const configured = (() => {
    if (snapshot.type === 'credit_pack') {
      return packs.find((pack) => `credits_${pack.id}` === snapshot.scene)?.credits;
    }
    if (
      snapshot.type === 'subscription' &&
      (snapshot.scene === 'pro_monthly' || snapshot.scene === 'pro_yearly')
    ) {
      return plans[snapshot.scene].creditsPerPeriod;
    }
    if (snapshot.type === 'one_time' && snapshot.scene === 'lifetime') return plans.lifetime.credits;
    return undefined;
  })();
  const knownScene =
    (snapshot.type === 'credit_pack' && /^credits_[a-z0-9_]{1,40}$/.test(snapshot.scene)) ||
    configured !== undefined;
  const credits = snapshot.credits ?? configured;
  return knownScene && credits !== undefined && credits > 0 ? { credits } : null;
}

/**
 * The credits a paid payment grants, chosen by its type and scene. Adding a pricing mode is one branch
 * here (and its helper in src/credits/index.ts). Runs on the transaction that claimed the payment.
 */
export function grantPurchase(
  tx: Sql,
  paid: Payment,
  context: { periodEnd?: Date; now?: Date },
): Promise<AddCreditsResult> {
  const ledger = { sql: tx, now: context.now };
  const { userId, id: paymentId } = paid;
  if (paid.type === 'credit_pack' && paid.scene.startsWith('credits_')) {
    return addCreditPackCredits({ userId, packId: paid.scene.slice('credits_'.length), paymentId }, ledger);
  }
  if (paid.type === 'subscription' && (paid.scene === 'pro_monthly' || paid.scene === 'pro_yearly')) {
    return addSubscriptionCredits(
      { userId, plan: paid.scene, paymentId, periodEnd: context.periodEnd },
      ledger,
    );
  }
  if (paid.type === 'one_time' && paid.scene === 'lifetime') {
    return addSubscriptionCredits({ userId, plan: 'lifetime', paymentId }, ledger);
  }
  throw new Error(
    `payment ${paid.id}: no grant for ${paid.type}/${paid.scene} (resolvePurchase let it through)`,
  );
}
