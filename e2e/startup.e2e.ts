import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../src/db/embedded';
import { type NextServer, startNext, waitUntilServing } from './server';

/**
 * Production servers of their own, on the suite's database: a bad deployment never goes live (the
 * process exits 1, naming the problem, instead of answering every request with 500), and a server
 * exposed directly limits sign-ins by the connection's address, whatever X-Forwarded-For claims.
 */
const servers: NextServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start(env: Record<string, string>, options = { preload: true }): Promise<NextServer> {
  const port = await findFreePort();
  const server = startNext(
    port,
    {
      DATABASE_URL: inject('databaseUrl'),
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    options,
  );
  servers.push(server);
  return server;
}

/** Waits for the process to end (at most a minute) and answers its exit code. */
async function exitCodeOf(server: NextServer): Promise<number | null | 'still running'> {
  const timeout = new Promise<'still running'>((resolve) =>
    setTimeout(() => resolve('still running'), 60_000),
  );
  return Promise.race([server.exited, timeout]);
}

describe('a production server that is misconfigured', () => {
  it.each([
    ['a short CRON_SECRET', { CRON_SECRET: 'short' }, 'CRON_SECRET must be at least 16 characters'],
    ['no BETTER_AUTH_SECRET', { BETTER_AUTH_SECRET: '' }, 'BETTER_AUTH_SECRET is required in production'],
    ['half a Stripe configuration', { STRIPE_SECRET_KEY: 'sk_test_x' }, 'STRIPE_WEBHOOK_SECRET'],
  ])('exits with code 1 and says why: %s', async (_name, env, message) => {
    const server = await start({ TRUSTED_PROXY_HOPS: '1', ...env });
    expect(await exitCodeOf(server)).toBe(1);
    expect(server.output()).toContain(message);
  });

  it('exits when exposed directly (TRUSTED_PROXY_HOPS=0) without the preload npm start loads', async () => {
    const server = await start({ TRUSTED_PROXY_HOPS: '0' }, { preload: false });
    expect(await exitCodeOf(server)).toBe(1);
    expect(server.output()).toContain('scripts/direct-client-address.cjs');
  });
});

describe('a production server exposed directly (TRUSTED_PROXY_HOPS=0, npm start)', () => {
  it('limits a client that sends a new X-Forwarded-For with every sign-in', async () => {
    const server = await start({ TRUSTED_PROXY_HOPS: '0' });
    await waitUntilServing(server);
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const response = await fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: server.url,
          'x-forwarded-for': `203.0.113.${attempt}`,
        },
        body: JSON.stringify({
          email: `nobody-${randomUUID()}@example.test`,
          password: 'a wrong passphrase',
        }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
