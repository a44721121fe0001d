import { backfillRegisterGifts } from '@/credits';
import { GIFT_BACKFILL_BATCH_SIZE } from '@/credits/backfill';
import { parseEnv } from '@/env';
import { authorizeCronRequest } from '@/lib/cron-auth';

// Vercel Cron calls this with GET (schedule in vercel.json). It grants the sign-up gift to users whose
// sign-up hook failed to, a bounded batch per run; a skipped or doubled run is harmless (one gift per key).
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

  const result = await backfillRegisterGifts({ limit: GIFT_BACKFILL_BATCH_SIZE });
  console.info(`[cron] register-gifts: ${JSON.stringify(result)}`);
  return Response.json(result);
}
