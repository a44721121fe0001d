import { describe, expect, it } from 'vitest';
import { getCurrentPlan, getPayments } from '@/payment/queries';
import { createPayment, createSubscription, createUser } from '../factories';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('getCurrentPlan', () => {
  it('is free without a plan purchase, whatever packs were bought', async () => {
    const userId = await createUser();
    await createPayment({ userId });
    expect(await getCurrentPlan(userId, NOW)).toEqual({ id: 'free' });
  });

  it('is the live subscription until its period ends, with its renewal and cancellation', async () => {
    const userId = await createUser();
    await createSubscription({
      userId,
      plan: 'pro_monthly',
      currentPeriodEnd: new Date('2026-11-30T08:00:00.000Z'),
      cancelAtPeriodEnd: true,
    });
    expect(await getCurrentPlan(userId, NOW)).toEqual({
      id: 'pro_monthly',
      periodEnd: new Date('2026-11-30T08:00:00.000Z'),
      cancelAtPeriodEnd: true,
      status: 'active',
    });
    expect(await getCurrentPlan(userId, new Date('2026-11-30T08:00:00.000Z'))).toEqual({ id: 'free' });
  });

  it('keeps a past-due subscription (Stripe retries) but not a canceled or unpaid one', async () => {
    const pastDue = await createUser();
    await createSubscription({ userId: pastDue, plan: 'pro_yearly', status: 'past_due' });
    expect(await getCurrentPlan(pastDue, NOW)).toMatchObject({ id: 'pro_yearly', status: 'past_due' });
    for (const status of ['canceled', 'unpaid', 'incomplete', 'incomplete_expired']) {
      const userId = await createUser();
      await createSubscription({ userId, status });
      expect(await getCurrentPlan(userId, NOW)).toEqual({ id: 'free' });
    }
  });

  it('picks the subscription whose period ends last; paid invoices alone do not make a plan', async () => {
    const userId = await createUser();
    await createSubscription({
      userId,
      plan: 'pro_monthly',
      currentPeriodEnd: new Date('2026-12-01T00:00:00Z'),
    });
    await createSubscription({
      userId,
      plan: 'pro_yearly',
      currentPeriodEnd: new Date('2027-06-01T00:00:00Z'),
    });
    expect(await getCurrentPlan(userId, NOW)).toMatchObject({
      id: 'pro_yearly',
      periodEnd: new Date('2027-06-01T00:00:00Z'),
    });
    const invoicesOnly = await createUser();
    await createPayment({ userId: invoicesOnly, type: 'subscription', scene: 'pro_monthly' });
    expect(await getCurrentPlan(invoicesOnly, NOW)).toEqual({ id: 'free' });
  });

  it('is lifetime after a lifetime purchase, even behind many newer payments', async () => {
    const userId = await createUser();
    await createPayment({ userId, type: 'one_time', scene: 'lifetime', amountMinor: 29_900, credits: 5_000 });
    for (let i = 0; i < 60; i += 1) await createPayment({ userId });
    const plan = await getCurrentPlan(userId, NOW);
    expect(plan.id).toBe('lifetime');
  });

  it('does not count a refunded lifetime purchase, and never another user’s plan', async () => {
    const userId = await createUser();
    const other = await createUser();
    await createPayment({ userId, type: 'one_time', scene: 'lifetime', status: 'refunded' });
    await createPayment({ userId: other, type: 'one_time', scene: 'lifetime' });
    expect(await getCurrentPlan(userId, NOW)).toEqual({ id: 'free' });
    expect((await getCurrentPlan(other, NOW)).id).toBe('lifetime');
  });
});

describe('getPayments', () => {
  it('pages through a user’s payments newest first without gaps or repeats, and only theirs', async () => {
    const userId = await createUser();
    const other = await createUser();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(await createPayment({ userId }));
      await createPayment({ userId: other });
    }
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    do {
      const page = await getPayments({ userId, limit: 2, before });
      seen.push(...page.items.map((row) => row.id));
      for (const row of page.items) expect(row.userId).toBe(userId);
      before = page.nextBefore ?? undefined;
      pages += 1;
    } while (before !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('rejects a bad limit or cursor with INVALID_INPUT', async () => {
    const userId = await createUser();
    await expect(getPayments({ userId, limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(getPayments({ userId, limit: 10, before: -1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
