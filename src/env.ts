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
    /** Shared secret that Vercel Cron sends as `Authorization: Bearer <CRON_SECRET>`. */
    CRON_SECRET: z.string().min(16, 'CRON_SECRET must be at least 16 characters').optional(),
    BETTER_AUTH_SECRET: z.string().min(32, 'BETTER_AUTH_SECRET must be at least 32 characters').optional(),
    BETTER_AUTH_URL: z.url().optional(),
    /**
     * The request header(s) holding the client's IP address, for rate limiting (comma-separated, first
     * found wins). Only headers your proxy sets, replacing any value the client sent. Default:
     * x-forwarded-for, which Vercel overwrites but a server exposed directly takes from the client.
     */
    TRUSTED_IP_HEADERS: z
      .string()
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/i, 'TRUSTED_IP_HEADERS must be header names separated by commas')
      .transform((value) => value.toLowerCase().split(','))
      .optional(),
    NEXT_PHASE: z.string().optional(),
  })
  .superRefine((env, ctx) => {
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
