import 'server-only';
import { siteConfig } from '@site-config';
import { z } from 'zod';
import { getSql } from '@/db';
import { isCreditsError } from './errors';
import { ledgerClockInput, parseInput } from './inputs';
import { addRegisterGiftCredits } from './register-gift';
import { DAY_MS } from './time';

/**
 * The sign-up gift is granted by better-auth's `user.create.after` hook, which runs once the user row has
 * committed: if the grant fails there (a database blip, a deploy), sign-up still succeeds and the user
 * has no gift. This backfill finds such users and grants it, and the daily cron
 * (GET /api/cron/register-gifts) runs it. The grant is idempotent by its key, `register_gift:<userId>`,
 * so a backfill that races the hook or another backfill still grants each user exactly once.
 */

/** Users one cron run examines at most; the rest wait for the next run (`more: true`). */
export const GIFT_BACKFILL_BATCH_SIZE = 500;

export interface BackfillRegisterGiftsResult {
  /** Gifts this run granted (a grant someone else made first is not counted). */
  granted: number;
  /** Users without a gift that this run examined. */
  checked: number;
  /** Grants that failed (logged); those users are tried again by the next run. */
  failed: number;
  /** More users without a gift remain beyond `limit`. */
  more: boolean;
}

const backfillInput = z.strictObject({
  limit: z.number().int().min(1).max(5_000),
  now: ledgerClockInput,
});

/**
 * Grants the registration gift to up to `limit` users who have none and signed up within
 * `siteConfig.credits.registerGift.backfillWithinDays`, oldest accounts first. `now` is the ledger's clock
 * for the grant (its expiry counts from the backfill, as the user receives it then). One user's failure
 * is logged and counted, and the run goes on: it never holds back the users after it.
 */
export async function backfillRegisterGifts(input: {
  limit: number;
  now?: Date;
}): Promise<BackfillRegisterGiftsResult> {
  const { limit, now } = parseInput(backfillInput, input);
  const since = new Date(
    (now ?? new Date()).getTime() - siteConfig.credits.registerGift.backfillWithinDays * DAY_MS,
  );
  // Recent users only (the user_created_at_idx range), each with one probe of credit_transaction's unique
  // (user_id, idempotency_key) index. One row beyond the limit is read only to tell whether more remain.
  const rows = await getSql()<{ id: string }[]>`
    SELECT u.id FROM "user" u
    WHERE u.created_at >= ${since.toISOString()}::timestamptz
      AND NOT EXISTS (
        SELECT 1 FROM credit_transaction t
        WHERE t.user_id = u.id AND t.idempotency_key = 'register_gift:' || u.id)
    ORDER BY u.created_at, u.id
    LIMIT ${limit + 1}`;
  const candidates = rows.slice(0, limit);
  const result: BackfillRegisterGiftsResult = {
    granted: 0,
    checked: candidates.length,
    failed: 0,
    more: rows.length > limit,
  };
  for (const { id } of candidates) {
    const outcome = await grantGift(id, now);
    if (outcome === 'granted') result.granted += 1;
    if (outcome === 'failed') result.failed += 1;
  }
  return result;
}

/** `skipped`: already granted (by the hook or another runner) or the user is gone. */
async function grantGift(userId: string, now: Date | undefined): Promise<'granted' | 'skipped' | 'failed'> {
  try {
    const result = await addRegisterGiftCredits(userId, { now });
    // A replay (the hook or another runner got there first) and a conflict (an earlier gift under the same
    // key, granted with another configured amount) both mean the user already has their gift.
    return result.ok && !result.replayed ? 'granted' : 'skipped';
  } catch (error) {
    // Deleted between the query and the grant: nothing to give.
    if (isCreditsError(error, 'UNKNOWN_USER')) return 'skipped';
    console.error(`[credits] register gift backfill for ${userId} failed; the next run retries`, error);
    return 'failed';
  }
}
