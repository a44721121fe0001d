import 'server-only';
import { z } from 'zod';
import { CreditsError, isCreditsError, type UnavailableDetails } from './errors';
import { consumeCreditsInput, IDEMPOTENCY_KEY_PATTERN, parseInput, truncateText } from './inputs';
import { getCreditBalance } from './queries';
import { consumeCredits, refundCredits } from './server';

/**
 * Charging for a piece of work: charge before it runs, refund in full if it fails. The refund's key is
 * derived from the charge's (`<key>:refund`), so the charge key is capped 20 characters below the
 * ledger's 200 and the derived key always fits.
 */
export const MAX_CHARGE_KEY_LENGTH = 180;
const REFUND_KEY_SUFFIX = ':refund';

const chargeCreditsInput = consumeCreditsInput.extend({
  idempotencyKey: z
    .string()
    .max(MAX_CHARGE_KEY_LENGTH, `must be at most ${MAX_CHARGE_KEY_LENGTH} characters`)
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be printable ASCII characters')
    // A charge keyed `X:refund` would take the refund key of charge `X`, leaving `X` unrefundable.
    .refine((key) => !key.endsWith(REFUND_KEY_SUFFIX), `must not end with "${REFUND_KEY_SUFFIX}"`),
});

export type ChargeCreditsInput = z.input<typeof chargeCreditsInput>;

/** What the work receives: the CONSUME that paid for it and the balance left after it. */
export interface Charge {
  transactionId: number;
  balance: number;
}

export type ChargeCreditsResult<T> =
  /** Charged once; the work succeeded. */
  | { ok: true; value: T; transactionId: number; balance: number }
  /** The balance does not cover the amount: nothing was charged and the work never ran. */
  | { ok: false; reason: 'INSUFFICIENT'; balance: number }
  /** An earlier request already used this key: the work did not run again and nothing was charged. */
  | { ok: false; reason: 'ALREADY_PROCESSED'; transactionId: number }
  /** The key was used for a different charge (another amount or source type). Nothing happened. */
  | { ok: false; reason: 'CONFLICT'; transactionId: number }
  /** The work threw or rejected; the whole charge was refunded (`failed_call`). */
  | { ok: false; reason: 'FAILED'; error: unknown; refunded: number; balance: number };

/**
 * Charges `amount` credits, runs `work`, and refunds the charge in full if `work` throws or rejects, so
 * a failed call never costs the user and a user without credits never reaches the provider.
 *
 * A repeat of an idempotency key answers ALREADY_PROCESSED without running `work`. Running it again
 * would be worse: N concurrent duplicates would get N results for one charge, and a request that failed
 * and was refunded could be replayed for free. The cost of this choice is that a retry does not get the
 * first attempt's result; adopters who want replays to return it should store the result keyed by the
 * request id and serve it from there.
 *
 * Bad input throws a CreditsError (INVALID_INPUT, UNKNOWN_SOURCE_TYPE, ...) before anything is written.
 * A refund that throws is logged and rethrown: a ledger failure is never swallowed.
 */
export async function chargeCredits<T>(
  input: ChargeCreditsInput,
  work: (charge: Charge) => Promise<T>,
): Promise<ChargeCreditsResult<T>> {
  const args = parseInput(chargeCreditsInput, input);
  if (typeof work !== 'function') throw new CreditsError('INVALID_INPUT', 'work must be a function');

  const charge = await chargeOnce(args);
  if (!charge.ok) return charge;
  if (charge.replayed) {
    return { ok: false, reason: 'ALREADY_PROCESSED', transactionId: charge.transactionId };
  }

  const { transactionId, balance } = charge;
  try {
    const value = await work({ transactionId, balance });
    return { ok: true, value, transactionId, balance };
  } catch (error) {
    return refundFailedWork(args, transactionId, error);
  }
}

/**
 * The charge, with a lost answer resolved. When the database fails while the charge is in flight, it
 * may have committed without this request knowing; a retry of the request would then answer
 * ALREADY_PROCESSED, and the user would have paid for work that never ran. So ask once more with the same
 * key: a replay means the lost charge did commit, and it is refunded at once (the work has not run);
 * otherwise this attempt is the charge. If the database is still unavailable, the error stands.
 */
async function chargeOnce(args: z.output<typeof chargeCreditsInput>) {
  try {
    return await consumeCredits(args);
  } catch (error) {
    if (!isCreditsError(error, 'LEDGER_UNAVAILABLE')) throw error;
    const lost = error.details as UnavailableDetails;
    if (lost.outcome !== 'unknown') throw error;
    const again = await consumeCredits(args);
    if (!again.ok || !again.replayed) return again;
    await refundFailedWork(args, again.transactionId, error);
    throw new CreditsError(
      'LEDGER_UNAVAILABLE',
      `the charge's answer was lost (${error.message}); it has been refunded and the work did not run`,
      { outcome: 'not_applied', cause: lost.cause } satisfies UnavailableDetails,
    );
  }
}

async function refundFailedWork(
  args: z.output<typeof chargeCreditsInput>,
  transactionId: number,
  error: unknown,
): Promise<ChargeCreditsResult<never>> {
  const idempotencyKey = `${args.idempotencyKey}${REFUND_KEY_SUFFIX}`;
  let refund: Awaited<ReturnType<typeof refundCredits>>;
  try {
    refund = await refundCredits({
      userId: args.userId,
      transactionId,
      sourceType: 'failed_call',
      description: truncateText(`Refund: ${args.description ?? 'failed call'}`, 500),
      idempotencyKey,
    });
  } catch (refundError) {
    console.error(`[credits] refund of failed call ${transactionId} (${idempotencyKey}) failed`, refundError);
    throw refundError;
  }
  if (!refund.ok && refund.reason === 'EXCEEDS_REFUNDABLE' && refund.refundableAmount === 0) {
    // Someone gave the whole charge back while the work ran (a manual reversal): the user is already
    // whole, so this is a failure that refunded nothing more, not a broken ledger.
    const { current } = await getCreditBalance(args.userId);
    return { ok: false, reason: 'FAILED', error, refunded: 0, balance: current };
  }
  if (!refund.ok) {
    // Only this path refunds this consume under this key, and only once (a repeat of the charge key never
    // reaches here). A conflict means app code spent under the derived key: the user's money is in an
    // unknown state, so say so loudly.
    console.error(`[credits] refund of failed call ${transactionId} answered ${refund.reason}`, error);
    throw new CreditsError('LEDGER_INVARIANT', `refund of failed call ${transactionId}: ${refund.reason}`, {
      refund,
      workError: error,
    });
  }
  return { ok: false, reason: 'FAILED', error, refunded: refund.amount, balance: refund.balance };
}
