import { siteConfig } from '@site-config';
import { grantMonthlyCredits } from '@/credits';
import { cronRoute } from '@/lib/cron-auth';

// Vercel Cron calls this daily with GET (vercel.json). It grants this UTC month's credits to every user
// still without them (free plan allowance, lifetime plan monthly credits), within a time budget; a
// skipped or doubled run is harmless, and `more: true` says the next run continues.
export const dynamic = 'force-dynamic';
export const maxDuration = 60;

export const GET = cronRoute('monthly-credits', () =>
  grantMonthlyCredits({
    batchSize: siteConfig.credits.limits.monthlyCreditsBatchSize,
    timeBudgetMs: siteConfig.credits.limits.monthlyCreditsTimeBudgetMs,
  }),
);
