import 'server-only';
import { type PlanId, siteConfig } from '@site-config';
import { z } from 'zod';
import { getSql } from '@/db';
import type { Payment } from '@/db/schema';
import { CreditsError } from './errors';
import { ledgerDateInput, ledgerOptionsInput, parseInput, rowIdInput, userIdInput } from './inputs';
import { type AddCreditsResult, addCredits, type LedgerOptions } from './server';
import { addInterval, daysFrom } from './time';

/**
 * Business helpers: what the app grants, in the words of the product. Amounts and expiry come from
 * `siteConfig.credits` (or, for purchases, from the payment row's snapshot). Each is idempotent by its
 * natural key, so a retried hook or a redelivered webhook never grants twice.
 */

export { type BackfillRegisterGiftsResult, backfillRegisterGifts } from './backfill';
export { type Charge, type ChargeCreditsInput, type ChargeCreditsResult, chargeCredits } from './charge';
export { isCreditsError } from './errors';
export { grantMonthlyCredits, type MonthlyCreditsResult } from './monthly-credits';
export {
  type CreditBalance,
  type CreditHistoryPage,
  encodeCursor,
  getCreditBalance,
  getCreditHistory,
} from './queries';
export { addRegisterGiftCredits } from './register-gift';
export { getBalanceSeries } from './series';
export { consumeCredits, refundCredits } from './server';

/**
 * Credits for one paid subscription period (pro monthly or yearly) or a lifetime purchase, once per
 * payment. `periodEnd` is when the paid period ends (from the provider's invoice); when the plan's
 * credits expire at the period's end, they expire then.
 */
const subscriptionCreditsInput = z.strictObject({
  userId: userIdInput,
  plan: z.enum(Object.keys(siteConfig.credits.plans) as [PlanId, ...PlanId[]]),
  paymentId: rowIdInput,
  periodEnd: ledgerDateInput.optional(),
});

export async function addSubscriptionCredits(
  input: z.input<typeof subscriptionCreditsInput>,
  options: LedgerOptions = {},
): Promise<AddCreditsResult> {
  const args = parseInput(subscriptionCreditsInput, input);
  const ledger = parseInput(ledgerOptionsInput, options) ?? {};
  const paid = await getPaymentFor(args.userId, args.paymentId, ledger);
  if (args.plan === 'lifetime') {
    expectPurchase(paid, 'one_time', 'lifetime');
    return addCredits(
      {
        userId: args.userId,
        amount: snapshotOr(paid, siteConfig.credits.plans.lifetime.credits),
        sourceType: 'lifetime',
        paymentId: paid.id,
        description: 'Lifetime plan',
        idempotencyKey: `lifetime:${paid.id}`,
      },
      ledger,
    );
  }
  const plan = siteConfig.credits.plans[args.plan];
  expectPurchase(paid, 'subscription', args.plan);
  const periodEnd = args.periodEnd ?? addInterval(ledger.now ?? new Date(), plan.interval);
  return addCredits(
    {
      userId: args.userId,
      amount: snapshotOr(paid, plan.creditsPerPeriod),
      sourceType: 'subscription',
      expirationDate: plan.creditsExpireAtPeriodEnd ? periodEnd : undefined,
      paymentId: paid.id,
      description: args.plan === 'pro_monthly' ? 'Pro monthly' : 'Pro yearly',
      idempotencyKey: `subscription:${paid.id}`,
    },
    ledger,
  );
}

const creditPackCreditsInput = z.strictObject({
  userId: userIdInput,
  /** As site.config.ts spells pack ids; a pack retired from the config keeps its id on old payments. */
  packId: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be a pack id: 1-40 of a-z, 0-9 and _'),
  paymentId: rowIdInput,
});

/** The credits of one purchased pack, once per payment, granted from the payment's snapshot. */
export async function addCreditPackCredits(
  input: z.input<typeof creditPackCreditsInput>,
  options: LedgerOptions = {},
): Promise<AddCreditsResult> {
  const args = parseInput(creditPackCreditsInput, input);
  const ledger = parseInput(ledgerOptionsInput, options) ?? {};
  const paid = await getPaymentFor(args.userId, args.paymentId, ledger);
  expectPurchase(paid, 'credit_pack', `credits_${args.packId}`);
  const pack = siteConfig.credits.packs.find((candidate) => candidate.id === args.packId);
  // A pack removed from the config after checkout is still granted: the payment snapshotted its credits.
  const expiresInDays = pack ? pack.expiresInDays : snapshotExpiry(paid);
  return addCredits(
    {
      userId: args.userId,
      amount: snapshotOr(paid, pack?.credits),
      sourceType: 'credit_pack',
      expirationDate: daysFrom(ledger.now, expiresInDays),
      paymentId: paid.id,
      description: `Credit pack: ${args.packId}`,
      idempotencyKey: `credit_pack:${paid.id}`,
    },
    ledger,
  );
}

type PurchaseRow = Pick<Payment, 'id' | 'userId' | 'type' | 'scene' | 'credits' | 'metadata'>;

/** The payment, read through the caller's transaction when there is one (the webhook's, which inserted it). */
async function getPaymentFor(
  userId: string,
  paymentId: number,
  options: LedgerOptions,
): Promise<PurchaseRow> {
  const sql = options.sql ?? getSql();
  const [found] = await sql<(Omit<PurchaseRow, 'id'> & { id: string })[]>`
    SELECT id, user_id AS "userId", type, scene, credits, metadata FROM payment WHERE id = ${paymentId}`;
  const row = found && { ...found, id: Number(found.id) };
  if (!row || row.userId !== userId) {
    throw new CreditsError(
      'PAYMENT_MISMATCH',
      `payment ${paymentId} does not exist or belongs to another user`,
    );
  }
  return row;
}

function expectPurchase(row: PurchaseRow, type: Payment['type'], scene: string): void {
  if (row.type !== type || row.scene !== scene) {
    throw new CreditsError(
      'PAYMENT_MISMATCH',
      `payment ${row.id} bought ${row.type}/${row.scene}, not ${type}/${scene}`,
    );
  }
}

function snapshotOr(row: PurchaseRow, configured: number | undefined): number {
  const amount = row.credits > 0 ? row.credits : configured;
  if (!amount) {
    throw new CreditsError(
      'PAYMENT_MISMATCH',
      `payment ${row.id} has no credits snapshot and no configured amount`,
    );
  }
  return amount;
}

function snapshotExpiry(row: PurchaseRow): number | null {
  const days = row.metadata?.expiresInDays;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : null;
}
