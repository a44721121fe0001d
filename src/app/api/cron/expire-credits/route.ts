import { siteConfig } from '@site-config';
import { expireDueCredits } from '@/credits/server';
import { cronRoute } from '@/lib/cron-auth';

// Vercel Cron calls this with GET (schedule in vercel.json). Each run expires what is due in bounded
// batches within the time budget and says whether more remains; a skipped or doubled run is harmless.
export const dynamic = 'force-dynamic';
export const maxDuration = 60;

export const GET = cronRoute('expire-credits', () => {
  const { expiryBatchSize, expiryTimeBudgetMs } = siteConfig.credits.limits;
  return expireDueCredits({ batchSize: expiryBatchSize, timeBudgetMs: expiryTimeBudgetMs });
});
