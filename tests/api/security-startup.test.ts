import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * src/instrumentation.ts, which Next.js runs once when a server starts. In production a bad deployment
 * ends the process with exit code 1 and the reason (e2e/startup.e2e.ts runs the real `next start`);
 * an ambiguous client address setting is said at start-up.
 */
const PRODUCTION = {
  NEXT_RUNTIME: 'nodejs',
  NODE_ENV: 'production',
  BETTER_AUTH_SECRET: 'a-production-secret-of-at-least-32-chars',
  BETTER_AUTH_URL: 'https://app.example.com',
};

class Exited extends Error {}

let logged: { error: string[]; warn: string[]; info: string[] };
let exit: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  // Each test imports the instrumentation (and the environment module it reads) afresh.
  vi.resetModules();
  logged = { error: [], warn: [], info: [] };
  for (const level of ['error', 'warn', 'info'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged[level].push(args.map(String).join(' '));
    });
  }
  exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exited(`exit ${code}`);
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  // A module whose import threw stays cached as failed; the database teardown imports it again.
  vi.resetModules();
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('saas-credits.direct-client-address')];
});

async function start(env: Record<string, string>): Promise<unknown> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { register } = await import('@/instrumentation');
  return register().then(
    () => null,
    (error: unknown) => error,
  );
}

describe('a production server with an invalid environment', () => {
  it.each([
    ['no BETTER_AUTH_SECRET', { BETTER_AUTH_SECRET: '' }, /BETTER_AUTH_SECRET is required in production/],
    ['a short CRON_SECRET', { CRON_SECRET: 'short' }, /CRON_SECRET must be at least 16 characters/],
    ['no BETTER_AUTH_URL', { BETTER_AUTH_URL: '' }, /BETTER_AUTH_URL is required in production/],
    ['half a Stripe configuration', { STRIPE_SECRET_KEY: 'sk_test_x' }, /STRIPE_WEBHOOK_SECRET/],
    [
      'both client address settings',
      { TRUSTED_PROXY_HOPS: '1', TRUSTED_IP_HEADERS: 'x-real-ip' },
      /not both/,
    ],
  ])('exits with code 1 and says why: %s', async (_name, change, message) => {
    const error = await start({ ...PRODUCTION, ...change });
    expect(error).toBeInstanceOf(Exited);
    expect(exit).toHaveBeenCalledWith(1);
    expect(logged.error.join('\n')).toMatch(message);
  });

  it('exits when exposed directly without the preload that makes the client address trustworthy', async () => {
    const error = await start({ ...PRODUCTION, TRUSTED_PROXY_HOPS: '0' });
    expect(error).toBeInstanceOf(Exited);
    expect(logged.error.join('\n')).toMatch(/scripts\/direct-client-address\.cjs/);
  });
});

describe('a production server with a valid environment', () => {
  it('starts, and warns when nothing says how to find the client’s address', async () => {
    expect(await start(PRODUCTION)).toBeNull();
    expect(exit).not.toHaveBeenCalled();
    expect(logged.warn.join('\n')).toMatch(/Neither TRUSTED_PROXY_HOPS nor TRUSTED_IP_HEADERS is set/);
  });

  it.each([
    [{ TRUSTED_PROXY_HOPS: '2' }, /X-Forwarded-For, 2 trusted proxies from the right/],
    [{ TRUSTED_IP_HEADERS: 'cf-connecting-ip' }, /the cf-connecting-ip header/],
    [{ VERCEL: '1' }, /as Vercel overwrites it/],
  ])('names the client address setting %j, without a warning', async (change, description) => {
    expect(await start({ ...PRODUCTION, ...change })).toBeNull();
    expect(logged.warn).toEqual([]);
    expect(logged.info.join('\n')).toMatch(description);
  });

  it('starts exposed directly when the preload is active', async () => {
    (globalThis as Record<symbol, unknown>)[Symbol.for('saas-credits.direct-client-address')] = true;
    expect(await start({ ...PRODUCTION, TRUSTED_PROXY_HOPS: '0' })).toBeNull();
    expect(logged.info.join('\n')).toMatch(/the connection itself/);
  });
});

describe('a development server with an invalid environment', () => {
  it('throws (Next.js shows it) instead of exiting', async () => {
    const error = await start({ NEXT_RUNTIME: 'nodejs', NODE_ENV: 'development', CRON_SECRET: 'short' });
    expect(String(error)).toMatch(/CRON_SECRET must be at least 16 characters/);
    expect(exit).not.toHaveBeenCalled();
  });
});
