import { backfillRegisterGifts } from '@/credits';
import { GIFT_BACKFILL_BATCH_SIZE } from '@/credits/backfill';
import { cronRoute } from '@/lib/cron-auth';

// Vercel Cron calls this with GET (schedule in vercel.json). It grants the sign-up gift to users whose
// sign-up hook failed to, a bounded batch per run; a skipped or doubled run is harmless (one gift per key).
export const dynamic = 'force-dynamic';
export const maxDuration = 60;

export const GET = cronRoute('register-gifts', () =>
  backfillRegisterGifts({ limit: GIFT_BACKFILL_BATCH_SIZE }),
);
