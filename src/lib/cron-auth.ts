import { createHash, timingSafeEqual } from 'node:crypto';
import { parseEnv } from '@/env';

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

/**
 * A Vercel Cron route: checks the bearer secret, runs the job and answers its result as JSON. The
 * environment is parsed per request rather than once at start-up, so the secret is always validated
 * and current.
 */
export function cronRoute<T>(name: string, job: () => Promise<T>): (request: Request) => Promise<Response> {
  return async (request) => {
    const env = parseEnv(process.env);
    const auth = authorizeCronRequest(request, {
      secret: env.CRON_SECRET,
      production: env.NODE_ENV === 'production',
    });
    if (!auth.ok) return Response.json({ error: auth.error }, { status: auth.status });
    const result = await job();
    console.info(`[cron] ${name}: ${JSON.stringify(result)}`);
    return Response.json(result);
  };
}
