import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/cron/expire-credits/route';
import { getCreditBalance } from '@/credits/queries';
import { addCredits } from '@/credits/server';
import { createUser, DAY_MS, expectLedgerConsistent } from '../factories';

const SECRET = 'test-cron-secret-0123456789abcdef';
const URL = 'http://localhost/api/cron/expire-credits';

/** A user holding 30 credits that expired yesterday, and 5 that never expire. */
async function userWithExpiredLot(): Promise<string> {
  const userId = await createUser();
  const past = new Date(Date.now() - 3 * DAY_MS);
  await addCredits(
    { userId, amount: 30, sourceType: 'manual', expirationDate: new Date(Date.now() - DAY_MS) },
    { now: past },
  );
  await addCredits({ userId, amount: 5, sourceType: 'manual' }, { now: past });
  return userId;
}

function request(authorization?: string): Request {
  return new Request(URL, { headers: authorization ? { authorization } : {} });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('GET /api/cron/expire-credits', () => {
  it('expires due lots when called with the bearer secret and reports what it did', async () => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const userId = await userWithExpiredLot();
    const response = await GET(request(`Bearer ${SECRET}`));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ expired: 1, credits: 30, more: false });
    expect((await getCreditBalance(userId)).current).toBe(5);

    const again = await GET(request(`Bearer ${SECRET}`));
    expect(await again.json()).toMatchObject({ expired: 0, credits: 0, more: false });
    await expectLedgerConsistent();
  });

  it.each([
    ['no header', undefined],
    ['a wrong secret', 'Bearer wrong-secret'],
    ['a secret of the same length but different', `Bearer ${SECRET.slice(0, -1)}X`],
    ['the secret without the Bearer scheme', SECRET],
    ['the secret with a suffix', `Bearer ${SECRET}x`],
  ])('answers 401 to %s and expires nothing', async (_name, authorization) => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const userId = await userWithExpiredLot();
    const response = await GET(request(authorization));
    expect(response.status).toBe(401);
    expect((await getCreditBalance(userId)).current).toBe(35);
  });

  it('refuses to run in production when CRON_SECRET is unset', async () => {
    vi.stubEnv('CRON_SECRET', '');
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('BETTER_AUTH_URL', 'https://app.example.com');
    vi.stubEnv('BETTER_AUTH_SECRET', 'a-production-secret-of-at-least-32-chars');
    const userId = await userWithExpiredLot();
    const response = await GET(request());
    expect(response.status).toBe(503);
    expect((await response.json()).error).toMatch(/CRON_SECRET/);
    expect((await getCreditBalance(userId)).current).toBe(35);
  });

  it('runs without a secret outside production, for local development', async () => {
    vi.stubEnv('CRON_SECRET', '');
    const userId = await userWithExpiredLot();
    const response = await GET(request());
    expect(response.status).toBe(200);
    expect((await getCreditBalance(userId)).current).toBe(5);
  });
});
