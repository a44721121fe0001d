import { createHash, timingSafeEqual } from 'node:crypto';

export type CronAuthorization = { ok: true } | { ok: false; status: 401 | 503; error: string };

/**
 * Vercel Cron sends `Authorization: Bearer <CRON_SECRET>`. The comparison is constant-time (digests of
 * equal length), and without a secret the job refuses to run in production rather than run for anyone.
 */
export function authorizeCronRequest(
  request: Request,
  config: { secret: string | undefined; production: boolean },
): CronAuthorization {
  if (!config.secret) {
    if (config.production) {
      return {
        ok: false,
        status: 503,
        error: 'CRON_SECRET is not configured; refusing to run unauthenticated',
      };
    }
    return { ok: true };
  }
  const presented = request.headers.get('authorization') ?? '';
  const expected = `Bearer ${config.secret}`;
  const matches = timingSafeEqual(digest(presented), digest(expected));
  return matches ? { ok: true } : { ok: false, status: 401, error: 'unauthorized' };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
