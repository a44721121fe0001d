import { siteConfig } from '@site-config';
import { expireDueCredits } from '@/credits/server';
import { parseEnv } from '@/env';
import { authorizeCronRequest } from '@/lib/cron-auth';

// Vercel Cron calls this with GET (schedule in vercel.json). Each run expires what is due in bounded
// batches within the time budget and says whether more remains; a skipped or doubled run is harmless.
export const dynamic = 'force-dynamic';
export const maxDuration = 60;

export async function GET(request: Request): Promise<Response> {
  // Parsed per request rather than once at start-up, so the secret is always validated and current.
  const env = parseEnv(process.env);
  const auth = authorizeCronRequest(request, {
    secret: env.CRON_SECRET,
    production: env.NODE_ENV === 'production',
  });
  if (!auth.ok) return Response.json({ error: auth.error }, { status: auth.status });

  const { expiryBatchSize, expiryTimeBudgetMs } = siteConfig.credits.limits;
  const result = await expireDueCredits({ batchSize: expiryBatchSize, timeBudgetMs: expiryTimeBudgetMs });
  console.info(`[cron] expire-credits: ${JSON.stringify(result)}`);
  return Response.json(result);
}
