import 'server-only';
import { siteConfig } from '@site-config';
import { z } from 'zod';
import { getSql } from '@/db';
import { liveSubscriptionStatuses, ownedPaymentStatuses } from '@/db/schema';
import { isCreditsError } from './errors';
import { ledgerClockInput, parseInput } from './inputs';
import { addCredits } from './server';

/**
 * Monthly credits, granted by the daily cron (GET /api/cron/monthly-credits): lifetime-plan holders get
 * the lifetime plan's monthly credits, users without a paid plan the free plan's allowance, and live pro
 * subscribers nothing (their invoices grant). A period is a UTC calendar month; the grant's key,
 * `monthly_credits:<YYYY-MM>`, makes it once per user per month however many runs overlap or repeat.
 * Catching up: every run grants the current month to everyone still without it, so a skipped day (or a
 * run that stopped at its time budget) is made up by the next. A month with no run at all is not granted
 * afterwards when its credits would already have expired.
 */

export interface MonthlyCreditsResult {
  /** The month granted, `YYYY-MM` (UTC). */
  period: string;
  granted: number;
  credits: number;
  /** Grants that failed (logged); the next run tries those users again. */
  failed: number;
  /** Users still without this month's credits: the budget ran out. */
  more: boolean;
}

const monthlyInput = z.strictObject({
  now: ledgerClockInput,
  batchSize: z.number().int().min(1).max(5_000),
  timeBudgetMs: z.number().int().min(1).max(800_000),
});

export function monthOf(now: Date): { period: string; start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { period: start.toISOString().slice(0, 7), start, end };
}

export async function grantMonthlyCredits(input: {
  now?: Date;
  batchSize: number;
  timeBudgetMs: number;
}): Promise<MonthlyCreditsResult> {
  const { now, batchSize, timeBudgetMs } = parseInput(monthlyInput, input);
  const clock = now ?? new Date();
  const month = monthOf(clock);
  const result: MonthlyCreditsResult = {
    period: month.period,
    granted: 0,
    credits: 0,
    failed: 0,
    more: false,
  };
  const startedAt = Date.now();
  let after = '';
  for (;;) {
    const batch = await usersWithout(month.period, clock, after, batchSize);
    for (const user of batch) {
      const granted = await grantOne(user, month, now);
      if (granted === 'failed') result.failed += 1;
      if (typeof granted === 'number') {
        result.granted += 1;
        result.credits += granted;
      }
    }
    const last = batch.at(-1);
    if (!last || batch.length < batchSize) return result;
    after = last.id;
    if (Date.now() - startedAt >= timeBudgetMs) {
      result.more = true;
      return result;
    }
  }
}

interface Candidate {
  id: string;
  plan: 'lifetime' | 'free';
}

/**
 * The next users, in id order after `after`, who lack this month's key and are not live pro subscribers.
 * Each is one probe of credit_transaction's unique (user_id, idempotency_key) index.
 */
async function usersWithout(period: string, now: Date, after: string, limit: number): Promise<Candidate[]> {
  const freeCredits = siteConfig.credits.freePlan.monthlyCredits;
  return getSql()<Candidate[]>`
    SELECT u.id, CASE WHEN lifetime.paid THEN 'lifetime' ELSE 'free' END AS plan
    FROM "user" u
    CROSS JOIN LATERAL (
      SELECT EXISTS (
        SELECT 1 FROM payment p WHERE p.user_id = u.id AND p.type = 'one_time' AND p.scene = 'lifetime'
          AND p.status = ANY(${[...ownedPaymentStatuses]}::text[])) AS paid
    ) lifetime
    WHERE u.id > ${after}
      AND NOT EXISTS (
        SELECT 1 FROM credit_transaction t
        WHERE t.user_id = u.id AND t.idempotency_key = ${`monthly_credits:${period}`})
      AND NOT EXISTS (
        SELECT 1 FROM subscription s
        WHERE s.user_id = u.id AND s.status = ANY(${[...liveSubscriptionStatuses]}::text[])
          AND (s.current_period_end IS NULL OR s.current_period_end > ${now.toISOString()}::timestamptz))
      AND (lifetime.paid OR ${freeCredits}::integer > 0)
    ORDER BY u.id
    LIMIT ${limit}`;
}

async function grantOne(
  user: Candidate,
  month: ReturnType<typeof monthOf>,
  now: Date | undefined,
): Promise<number | 'skipped' | 'failed'> {
  const { credits } = siteConfig;
  const amount =
    user.plan === 'lifetime' ? credits.plans.lifetime.monthlyCredits : credits.freePlan.monthlyCredits;
  try {
    const result = await addCredits(
      {
        userId: user.id,
        amount,
        sourceType: 'monthly_allowance',
        expirationDate: credits.monthlyCreditsExpireAtMonthEnd ? month.end : undefined,
        idempotencyKey: `monthly_credits:${month.period}`,
        description:
          user.plan === 'lifetime' ? 'Lifetime plan: monthly credits' : 'Free plan: monthly credits',
        metadata: { plan: user.plan, period: month.period },
      },
      { now },
    );
    return result.ok && !result.replayed ? amount : 'skipped';
  } catch (error) {
    if (isCreditsError(error, 'UNKNOWN_USER')) return 'skipped';
    console.error(`[credits] monthly credits for ${user.id} failed; the next run retries`, error);
    return 'failed';
  }
}
