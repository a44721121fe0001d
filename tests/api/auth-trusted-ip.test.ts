import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/auth/[...all]/route';
import { ORIGIN } from '../http';

/**
 * Behind a proxy that sets its own client-address header, TRUSTED_IP_HEADERS makes the rate limiter key
 * on that header alone: a client that varies X-Forwarded-For cannot get a fresh allowance. (This file's
 * process builds the auth instance once, after the variable is set.)
 */
beforeAll(() => {
  vi.stubEnv('TRUSTED_IP_HEADERS', 'x-real-ip');
});

function signIn(realIp: string, forwardedFor: string): Promise<Response> {
  return POST(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: ORIGIN,
        'x-real-ip': realIp,
        'x-forwarded-for': forwardedFor,
      },
      body: JSON.stringify({ email: `nobody-${randomUUID()}@example.test`, password: 'a wrong passphrase' }),
    }),
  );
}

describe('rate limiting behind a trusted proxy header', () => {
  it('counts attempts per trusted address, whatever X-Forwarded-For claims', async () => {
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      statuses.push((await signIn('192.0.2.10', `203.0.113.${attempt}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Another trusted address has its own allowance.
    expect((await signIn('192.0.2.11', '203.0.113.1')).status).toBe(401);
  });
});
