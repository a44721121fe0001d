import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** Plain HTTP against the production server, as a script (or another site's page) would send it. */
export const baseUrl = inject('baseUrl');

/**
 * A random address in 203.0.113.0/24 and 198.51.100.0/24 (documentation ranges) for X-Forwarded-For:
 * the suite's server trusts one proxy hop, so each request that sends its own is its own client.
 */
export function clientAddress(): string {
  const [range = 0, host = 0] = randomBytes(2);
  return `${range % 2 ? '203.0.113' : '198.51.100'}.${(host % 254) + 1}`;
}

/** The `name=value` pairs of a response's Set-Cookie headers, ready to send back as a Cookie header. */
export function cookieFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
}

/** POSTs JSON to the app as its own pages do (same Origin), from a client address of its own. */
export function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/json',
      origin: baseUrl,
      'x-forwarded-for': clientAddress(),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

export interface HttpUser {
  userId: string;
  email: string;
  password: string;
  cookie: string;
}

/** Signs a new user up over HTTP (name optional) and returns the session cookie. */
export async function signUpOverHttp(name = 'E2E user'): Promise<HttpUser> {
  const email = `http-${randomUUID()}@example.test`;
  const password = 'a sturdy passphrase 42';
  const response = await postJson('/api/auth/sign-up/email', { email, password, name });
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return { userId: body.user.id, email, password, cookie: cookieFrom(response) };
}
