import { z } from 'zod';

/**
 * The environment, validated once. Every variable is documented in `.env.example`. `DATABASE_URL` is
 * optional in development and tests (an embedded PostgreSQL is started instead) and required in
 * production, where an embedded database would silently lose data.
 */
const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
      .optional(),
    /** Maximum connections this process opens to PostgreSQL. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /**
     * `transaction` when DATABASE_URL is a transaction-mode pooler (PgBouncer, Supabase's or Neon's
     * pooled URL): no named prepared statements and no session settings at connect time, since each
     * transaction may run on another server connection. `session` (default) for a direct connection or
     * a session-mode pooler.
     */
    DATABASE_POOL_MODE: z.enum(['session', 'transaction']).default('session'),
    /**
     * The longest any statement may run, in milliseconds: set on the server (session mode) and bounded
     * in the app for every ledger call (both modes), so that no call waits forever on a dead connection.
     */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
    /** Shared secret that Vercel Cron sends as `Authorization: Bearer <CRON_SECRET>`. */
    CRON_SECRET: z.string().min(16, 'CRON_SECRET must be at least 16 characters').optional(),
    BETTER_AUTH_SECRET: z.string().min(32, 'BETTER_AUTH_SECRET must be at least 32 characters').optional(),
    BETTER_AUTH_URL: z.url().optional(),
    /**
     * The request header(s) a trusted proxy sets to the client's IP address, replacing any value the
     * client sent (comma-separated, first found wins), for the auth rate limits. See
     * src/lib/client-address.ts and docs/security.md; set this or TRUSTED_PROXY_HOPS, not both.
     */
    TRUSTED_IP_HEADERS: z
      .string()
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/i, 'TRUSTED_IP_HEADERS must be header names separated by commas')
      .transform((value) => value.toLowerCase().split(','))
      .optional(),
    /**
     * How many proxies in front of the app append to X-Forwarded-For: the client's address is that many
     * entries from the right. 0: exposed directly, the connection's own address (`npm start`).
     */
    TRUSTED_PROXY_HOPS: z.coerce
      .number('TRUSTED_PROXY_HOPS must be a number of proxies, 0 to 10')
      .int('TRUSTED_PROXY_HOPS must be a whole number')
      .min(0, 'TRUSTED_PROXY_HOPS must be 0 to 10')
      .max(10, 'TRUSTED_PROXY_HOPS must be 0 to 10')
      .optional(),
    /** Set to "1" by Vercel, whose edge overwrites X-Forwarded-For with the client's address. */
    VERCEL: z.string().optional(),
    NEXT_PHASE: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TRUSTED_IP_HEADERS && env.TRUSTED_PROXY_HOPS !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUSTED_PROXY_HOPS'],
        message:
          'set TRUSTED_IP_HEADERS (a header your proxy sets) or TRUSTED_PROXY_HOPS (proxies appending to X-Forwarded-For), not both',
      });
    }
    // `next build` also runs with NODE_ENV=production but needs no database and signs no session.
    if (env.NODE_ENV !== 'production' || env.NEXT_PHASE === 'phase-production-build') return;
    if (!env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'DATABASE_URL is required in production',
      });
    }
    if (!env.BETTER_AUTH_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_URL'],
        message: 'BETTER_AUTH_URL is required in production (the public URL, e.g. https://app.example.com)',
      });
    }
    if (!env.BETTER_AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_SECRET'],
        message: 'BETTER_AUTH_SECRET is required in production (openssl rand -hex 32)',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Parses an environment, throwing one error that lists every problem. Exported for tests. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // A variable set to the empty string (a blank line in .env) means unset.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

export const env: Env = parseEnv(process.env);
