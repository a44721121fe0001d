import 'server-only';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { CreditsError } from './errors';
import { ledgerClockInput, parseInput, userIdInput } from './inputs';
import { type BalanceSeriesRange, balanceSeriesRanges } from './ranges';
import { DAY_MS } from './time';

/** Read side for the balance chart: one point per UTC day, computed from the log. Never writes. */

export interface BalancePoint {
  /** Midnight UTC of the day the point stands for. */
  day: Date;
  /** The balance at the end of that day (or at `now`, for today). */
  balance: number;
}

const seriesInput = z.strictObject({
  userId: userIdInput,
  days: z.literal(balanceSeriesRanges),
  now: ledgerClockInput,
});

/**
 * The user's balance at the end of each of the last `days` UTC days, today included and last. A day's
 * balance is the `balance_after` of the latest log row written by its end (the log's running sum), so
 * days without activity carry the previous balance forward; before the user's first row it is 0.
 * "Latest" means the highest id, the order in which `balance_after` was summed. `now` bounds the
 * window (tests move it); rows stamped after it are not counted.
 */
export async function getBalanceSeries(input: {
  userId: string;
  days: BalanceSeriesRange;
  now?: Date;
}): Promise<BalancePoint[]> {
  const args = parseInput(seriesInput, input);
  const now = args.now ?? new Date();
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const start = new Date(today - (args.days - 1) * DAY_MS);
  // Raw SQL fragments bind dates as text (Drizzle owns the driver's date handling), hence ISO strings.
  const startAt = start.toISOString();
  const nowAt = now.toISOString();
  // `opening` walks the (user_id, id DESC) index back from the newest row to the last one before the
  // window; `daily` keeps the last row of each day in the window (at most `days` rows), and each day
  // then takes the latest of those up to it. Rows older than the opening row cannot be the latest of
  // any day, so the window scan starts after it.
  const rows = await getDb().execute<{ day: string; balance: string }>(sql`
    WITH opening AS MATERIALIZED (
      SELECT id, balance_after FROM credit_transaction
      WHERE user_id = ${args.userId} AND created_at < ${startAt}::timestamptz
      ORDER BY id DESC LIMIT 1
    ),
    daily AS MATERIALIZED (
      SELECT DISTINCT ON (day) day, id, balance_after
      FROM (
        SELECT (created_at AT TIME ZONE 'UTC')::date AS day, id, balance_after
        FROM credit_transaction
        WHERE user_id = ${args.userId}
          AND id > coalesce((SELECT id FROM opening), 0)
          AND created_at >= ${startAt}::timestamptz AND created_at <= ${nowAt}::timestamptz
      ) in_window
      ORDER BY day, id DESC
    )
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
           coalesce(
             (SELECT balance_after FROM daily WHERE daily.day <= d.day ORDER BY id DESC LIMIT 1),
             (SELECT balance_after FROM opening),
             0
           ) AS balance
    FROM generate_series(
      (${startAt}::timestamptz AT TIME ZONE 'UTC')::date,
      (${nowAt}::timestamptz AT TIME ZONE 'UTC')::date,
      interval '1 day'
    ) AS d(day)
    ORDER BY d.day`);
  const points = rows.map((row) => ({ day: new Date(`${row.day}T00:00:00Z`), balance: Number(row.balance) }));
  if (points.length !== args.days || points.some((point) => !Number.isSafeInteger(point.balance))) {
    throw new CreditsError('LEDGER_INVARIANT', `balance series: expected ${args.days} integer points`);
  }
  return points;
}
