import { randomUUID } from 'node:crypto';
import { GET as authGet, POST as authPost } from '@/app/api/auth/[...all]/route';

/**
 * HTTP helpers for route-handler tests: requests go through the real better-auth handler, so a test
 * holds a real session cookie, exactly as a browser would after signing up.
 */

export const ORIGIN = 'http://localhost:3000';

let ipCounter = 0;
/** A distinct client address per call, so rate limiting (on in every environment) never trips a test. */
export function freshIp(): string {
  ipCounter += 1;
  return `10.0.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

export interface AuthRequestOptions {
  cookie?: string;
  ip?: string;
}

export function authRequest(path: string, body: unknown, options: AuthRequestOptions = {}): Request {
  return new Request(`${ORIGIN}/api/auth${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN,
      'x-forwarded-for': options.ip ?? freshIp(),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers, ready to send back as a Cookie header. */
export function cookieFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
}

export interface SignedUpUser {
  userId: string;
  email: string;
  password: string;
  cookie: string;
}

/** Signs a new user up through POST /api/auth/sign-up/email and returns its session cookie. */
export async function signUp(overrides: { email?: string; password?: string; name?: string } = {}) {
  const email = overrides.email ?? `user-${randomUUID()}@example.test`;
  const password = overrides.password ?? 'correct horse battery staple';
  const response = await authPost(
    authRequest('/sign-up/email', { email, password, name: overrides.name ?? 'Test User' }),
  );
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return { userId: body.user.id, email, password, cookie: cookieFrom(response) } satisfies SignedUpUser;
}

/** GET /api/auth/get-session with a cookie: the session's user id, or null. */
export async function sessionUserId(cookie: string): Promise<string | null> {
  const response = await authGet(
    new Request(`${ORIGIN}/api/auth/get-session`, { headers: { cookie, 'x-forwarded-for': freshIp() } }),
  );
  const body = (await response.json()) as { user?: { id: string } } | null;
  return body?.user?.id ?? null;
}

/** Headers carrying a session cookie, for calling getSession(headers) or a route handler. */
export function withCookie(cookie: string, init: Record<string, string> = {}): Headers {
  return new Headers({ cookie, 'x-forwarded-for': freshIp(), ...init });
}
