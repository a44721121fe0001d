import 'server-only';
import { z } from 'zod';
import { getSql } from '@/db';
import { isCreditsError } from './errors';
import { parseInput } from './inputs';
import { addRegisterGiftCredits } from './register-gift';

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
  /** More users without a gift remain beyond `limit`. */
  more: boolean;
}

const backfillInput = z.strictObject({
  limit: z.number().int().min(1).max(5_000),
  now: z.date().optional(),
});

/**
 * Grants the registration gift to up to `limit` users who have none, oldest accounts first. `now` is the
 * ledger's clock for the grant (its expiry counts from the backfill, as the user receives it then).
 */
export async function backfillRegisterGifts(input: {
  limit: number;
  now?: Date;
}): Promise<BackfillRegisterGiftsResult> {
  const { limit, now } = parseInput(backfillInput, input);
  // An anti-join on credit_transaction's unique (user_id, idempotency_key) index: one index probe per user.
  // One row beyond the limit is read only to tell whether more remain.
  const rows = await getSql()<{ id: string }[]>`
    SELECT u.id FROM "user" u
    WHERE NOT EXISTS (
      SELECT 1 FROM credit_transaction t
      WHERE t.user_id = u.id AND t.idempotency_key = 'register_gift:' || u.id)
    ORDER BY u.created_at, u.id
    LIMIT ${limit + 1}`;
  const candidates = rows.slice(0, limit);
  let granted = 0;
  for (const { id } of candidates) {
    if (await grantGift(id, now)) granted += 1;
  }
  return { granted, checked: candidates.length, more: rows.length > limit };
}

/** True when this call granted the gift; false when it was already granted or the user is gone. */
async function grantGift(userId: string, now: Date | undefined): Promise<boolean> {
  try {
    const result = await addRegisterGiftCredits(userId, { now });
    // A replay (the hook or another runner got there first) and a conflict (an earlier gift under the same
    // key, granted with another configured amount) both mean the user already has their gift.
    return result.ok && !result.replayed;
  } catch (error) {
    // Deleted between the query and the grant: nothing to give.
    if (isCreditsError(error, 'UNKNOWN_USER')) return false;
    throw error;
  }
}
