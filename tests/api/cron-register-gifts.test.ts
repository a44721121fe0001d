import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/cron/register-gifts/route';
import { backfillRegisterGifts, getCreditBalance } from '@/credits';
import { createUser, expectLedgerConsistent } from '../factories';

const SECRET = 'test-cron-secret-0123456789abcdef';
const URL = 'http://localhost/api/cron/register-gifts';

function request(authorization?: string): Request {
  return new Request(URL, { headers: authorization ? { authorization } : {} });
}

beforeEach(async () => {
  // Users of earlier tests in this file get their gifts first, so each test counts only its own.
  await backfillRegisterGifts({ limit: 5_000 });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('GET /api/cron/register-gifts', () => {
  it('grants the missing gifts when called with the bearer secret, once', async () => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const userId = await createUser();
    const response = await GET(request(`Bearer ${SECRET}`));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ granted: 1, checked: 1, failed: 0, more: false });
    expect((await getCreditBalance(userId)).current).toBe(50);

    const again = await GET(request(`Bearer ${SECRET}`));
    expect(await again.json()).toEqual({ granted: 0, checked: 0, failed: 0, more: false });
    expect((await getCreditBalance(userId)).current).toBe(50);
    await expectLedgerConsistent();
  });

  it.each([
    ['no header', undefined],
    ['a wrong secret', 'Bearer wrong-secret'],
    ['the secret without the Bearer scheme', SECRET],
  ])('answers 401 to %s and grants nothing', async (_name, authorization) => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const userId = await createUser();
    const response = await GET(request(authorization));
    expect(response.status).toBe(401);
    expect((await getCreditBalance(userId)).current).toBe(0);
  });

  it('refuses to run in production when CRON_SECRET is unset', async () => {
    vi.stubEnv('CRON_SECRET', '');
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('BETTER_AUTH_URL', 'https://app.example.com');
    // Production requires these too (src/env.ts); only the cron secret is missing here.
    vi.stubEnv('BETTER_AUTH_SECRET', 'a-production-secret-of-at-least-32-chars');
    const userId = await createUser();
    const response = await GET(request());
    expect(response.status).toBe(503);
    expect((await response.json()).error).toMatch(/CRON_SECRET/);
    expect((await getCreditBalance(userId)).current).toBe(0);
  });
});
