import { siteConfig } from '@site-config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/cron/monthly-credits/route';
import { grantMonthlyCredits } from '@/credits';
import { getSql } from '@/db';
import {
  balanceOf,
  createPayment,
  createSubscription,
  createUser,
  expectLedgerConsistent,
  toDate,
} from '../factories';

// Monthly credits: the free plan's allowance and the lifetime plan's monthly credits, granted by the
// daily cron once per user per UTC month. Each test runs in its own month so earlier tests' users
// (who already hold that month's credits) do not count; every run covers every user in the database.

const { freePlan, plans } = siteConfig.credits;
const BUDGET = { batchSize: 500, timeBudgetMs: 60_000 };

afterEach(async () => {
  vi.unstubAllEnvs();
  await expectLedgerConsistent();
});

async function monthlyGrants(userId: string) {
  return getSql()<
    { amount: number; idempotency_key: string; expiration_date: string; description: string }[]
  >`
    SELECT amount, idempotency_key, expiration_date, description FROM credit_transaction
    WHERE user_id = ${userId} AND source_type = 'monthly_allowance' ORDER BY id`;
}

describe('grantMonthlyCredits', () => {
  it('gives free users the allowance and lifetime holders theirs, once a month, expiring at month end', async () => {
    const free = await createUser();
    const lifetime = await createUser();
    await createPayment({ userId: lifetime, type: 'one_time', scene: 'lifetime', credits: 0 });
    const now = new Date('2031-01-10T09:00:00Z');
    const first = await grantMonthlyCredits({ now, ...BUDGET });
    expect(first).toMatchObject({ period: '2031-01', failed: 0, more: false });
    await grantMonthlyCredits({ now: new Date('2031-01-31T23:59:59Z'), ...BUDGET });
    expect(await balanceOf(free)).toBe(freePlan.monthlyCredits);
    expect(await balanceOf(lifetime)).toBe(plans.lifetime.monthlyCredits);
    const [grant] = await monthlyGrants(lifetime);
    expect(grant).toMatchObject({
      idempotency_key: 'monthly_credits:2031-01',
      description: 'Lifetime plan: monthly credits',
    });
    expect(toDate(grant?.expiration_date)).toEqual(new Date('2031-02-01T00:00:00Z'));
    expect((await monthlyGrants(free)).map((row) => row.idempotency_key)).toEqual([
      'monthly_credits:2031-01',
    ]);
  });

  it('gives live pro subscribers nothing, and resumes once their subscription has ended', async () => {
    const pro = await createUser();
    const lapsed = await createUser();
    await createSubscription({ userId: pro, currentPeriodEnd: new Date('2032-02-15T00:00:00Z') });
    await createSubscription({ userId: lapsed, status: 'canceled' });
    await grantMonthlyCredits({ now: new Date('2032-02-01T01:00:00Z'), ...BUDGET });
    expect(await balanceOf(pro)).toBe(0);
    expect(await balanceOf(lapsed)).toBe(freePlan.monthlyCredits);
    await grantMonthlyCredits({ now: new Date('2032-02-20T01:00:00Z'), ...BUDGET });
    expect(await balanceOf(pro)).toBe(freePlan.monthlyCredits);
  });

  it('catches up: a run late in the month grants it to whoever still lacks it, and the next month again', async () => {
    const userId = await createUser();
    await grantMonthlyCredits({ now: new Date('2033-03-27T00:30:00Z'), ...BUDGET });
    expect(await balanceOf(userId)).toBe(freePlan.monthlyCredits);
    // March's credits have expired by April; April's arrive with April's first run.
    await grantMonthlyCredits({ now: new Date('2033-04-02T00:30:00Z'), ...BUDGET });
    expect((await monthlyGrants(userId)).map((row) => row.idempotency_key)).toEqual([
      'monthly_credits:2033-03',
      'monthly_credits:2033-04',
    ]);
  });

  it('gives every user exactly once when runs overlap', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => createUser()));
    const now = new Date('2034-05-05T00:00:00Z');
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => grantMonthlyCredits({ now, batchSize: 5, timeBudgetMs: 60_000 })),
    );
    expect(runs.every((run) => run.failed === 0)).toBe(true);
    for (const userId of users) expect(await monthlyGrants(userId)).toHaveLength(1);
  });

  it('stops at its time budget and says more remain; the next run finishes', async () => {
    await Promise.all(Array.from({ length: 6 }, () => createUser()));
    const now = new Date('2035-06-06T00:00:00Z');
    const partial = await grantMonthlyCredits({ now, batchSize: 2, timeBudgetMs: 1 });
    expect(partial.more).toBe(true);
    expect(partial.granted).toBeLessThan(6);
    const rest = await grantMonthlyCredits({ now, ...BUDGET });
    expect(rest.more).toBe(false);
    const [{ missing } = { missing: '-1' }] = await getSql()<{ missing: string }[]>`
      SELECT count(*) AS missing FROM "user" u WHERE NOT EXISTS (SELECT 1 FROM credit_transaction t
        WHERE t.user_id = u.id AND t.idempotency_key = 'monthly_credits:2035-06')`;
    expect(Number(missing)).toBe(0);
  });

  it('rejects a bad batch size before granting anything', async () => {
    await expect(grantMonthlyCredits({ batchSize: 0, timeBudgetMs: 1_000 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('GET /api/cron/monthly-credits', () => {
  it('runs with the bearer secret and refuses without it', async () => {
    vi.stubEnv('CRON_SECRET', 'test-cron-secret-0123456789abcdef');
    const userId = await createUser();
    const refused = await GET(new Request('http://localhost/api/cron/monthly-credits'));
    expect(refused.status).toBe(401);
    expect(await balanceOf(userId)).toBe(0);
    const response = await GET(
      new Request('http://localhost/api/cron/monthly-credits', {
        headers: { authorization: 'Bearer test-cron-secret-0123456789abcdef' },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      period: new Date().toISOString().slice(0, 7),
      more: false,
    });
    expect(await balanceOf(userId)).toBe(freePlan.monthlyCredits);
  });
});
