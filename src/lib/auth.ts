import 'server-only';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { z } from 'zod';
import { addRegisterGiftCredits } from '@/credits';
import { getDb } from '@/db';
import * as schema from '@/db/schema';
import { parseEnv } from '@/env';
import { CLIENT_ADDRESS_HEADER } from './client-address';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './password';

/**
 * better-auth: email and password accounts in the app's own PostgreSQL (the tables in
 * src/db/auth.schema.ts). Created on first use rather than at import, so `next build` needs no database.
 */

/** Used only outside production when BETTER_AUTH_SECRET is unset; production refuses to start without one. */
const DEVELOPMENT_SECRET = 'saas-credits-development-secret-not-for-production';

const LOCAL_HOSTS = ['localhost:*', '127.0.0.1:*', '[::1]:*', 'localhost', '127.0.0.1'];

// The rules live in ./password so that the sign-up form applies the same ones before sending.
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

const signUpBody = z.object({ email: z.string(), password: z.string() });
const newPasswordBody = z.object({ newPassword: z.string() });

/** The password a request sets, and the email it must not resemble, on every path that sets one. */
function passwordBeingSet(path: string, body: unknown): { password: string; email?: string } | null {
  if (path === '/sign-up/email') {
    const parsed = signUpBody.safeParse(body);
    return parsed.success ? parsed.data : null;
  }
  if (path === '/change-password' || path === '/reset-password') {
    const parsed = newPasswordBody.safeParse(body);
    return parsed.success ? { password: parsed.data.newPassword } : null;
  }
  return null;
}

/**
 * Refuses obviously guessable passwords (code WEAK_PASSWORD) at sign-up, password change and reset.
 * Lengths are left to better-auth's own checks (PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG), configured with
 * the same limits. It runs before the endpoint validates the body, so a malformed body is left for the
 * endpoint to refuse.
 */
const rejectWeakPasswords = createAuthMiddleware(async (ctx) => {
  const attempt = passwordBeingSet(ctx.path, ctx.body);
  if (attempt && passwordProblem(attempt.password, { email: attempt.email }) === 'WEAK') {
    throw new APIError('BAD_REQUEST', {
      message: 'Password is too easy to guess',
      code: 'WEAK_PASSWORD',
    });
  }
});

function createAuth() {
  const env = parseEnv(process.env);
  return betterAuth({
    appName: 'saas-credits',
    secret: env.BETTER_AUTH_SECRET ?? DEVELOPMENT_SECRET,
    // Set BETTER_AUTH_URL in production. Unset, the app answers on this machine's own host names only
    // (any port), so `npm run dev` and `npm run start:local` work with no configuration.
    baseURL: env.BETTER_AUTH_URL ?? {
      allowedHosts: LOCAL_HOSTS,
      protocol: 'http',
      fallback: 'http://localhost:3000',
    },
    database: drizzleAdapter(getDb(), { provider: 'pg', schema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      autoSignIn: true,
    },
    hooks: { before: rejectWeakPasswords },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    // On in every environment, not only production, and kept in PostgreSQL so that every server
    // instance counts the same attempts. Sign-in and sign-up get tighter windows than the rest.
    rateLimit: {
      enabled: true,
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 5 },
        '/sign-up/email': { window: 60, max: 5 },
      },
    },
    // The auth route writes the client's address into this header, found the way the deployment's shape
    // says (src/lib/client-address.ts); better-auth's own reading of X-Forwarded-For trusts a single
    // entry whoever sent it and puts every multi-entry header into one shared bucket.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    databaseHooks: {
      user: {
        create: {
          // Runs after the user row is written. If the gift fails here (say the database blips), sign-up
          // still succeeds and the cron's backfill (backfillRegisterGifts) grants it later, exactly once.
          after: async (user) => {
            try {
              await addRegisterGiftCredits(user.id);
            } catch (error) {
              console.error(`[auth] register gift for ${user.id} failed; the backfill will retry`, error);
            }
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
export type Session = Auth['$Infer']['Session'];

let instance: Auth | undefined;

export function getAuth(): Auth {
  instance ??= createAuth();
  return instance;
}
