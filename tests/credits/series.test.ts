import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { getBalanceSeries } from '@/credits/series';
import { addCredits, consumeCredits, expireDueCredits } from '@/credits/server';
import { createUser } from '../factories';

// The 30-day window ending on 30 Nov 2026 starts at 1 Nov 2026 00:00 UTC.
const NOW = new Date('2026-11-30T15:00:00Z');
const at = (iso: string) => new Date(iso);

async function grant(userId: string, amount: number, now: Date, expirationDate?: Date): Promise<void> {
  const result = await addCredits({ userId, amount, sourceType: 'manual', expirationDate }, { now });
  if (!result.ok) throw new Error('setup grant failed');
}

async function spend(userId: string, amount: number, now: Date): Promise<void> {
  const result = await consumeCredits({ userId, amount, sourceType: 'ai_call' }, { now });
  if (!result.ok) throw new Error('setup spend failed');
}

/** The series as `YYYY-MM-DD -> balance`, for readable expectations. */
function byDay(points: { day: Date; balance: number }[]): Record<string, number> {
  return Object.fromEntries(points.map((point) => [point.day.toISOString().slice(0, 10), point.balance]));
}

describe('getBalanceSeries', () => {
  it('gives a user with no rows one zero point per day, oldest first and ending today', async () => {
    const userId = await createUser();
    const points = await getBalanceSeries({ userId, days: 30, now: NOW });
    expect(points).toHaveLength(30);
    expect(points[0]?.day).toEqual(at('2026-11-01T00:00:00Z'));
    expect(points[29]?.day).toEqual(at('2026-11-30T00:00:00Z'));
    expect(points.every((point) => point.balance === 0)).toBe(true);
  });

  it('carries the last balance forward over quiet days and takes the last row of a busy day', async () => {
    const userId = await createUser();
    await grant(userId, 50, at('2026-11-03T09:00:00Z'));
    await spend(userId, 5, at('2026-11-07T08:00:00Z'));
    await grant(userId, 20, at('2026-11-07T12:00:00Z'));
    await spend(userId, 7, at('2026-11-07T23:59:59.999Z'));
    await spend(userId, 3, at('2026-11-08T00:00:00Z'));

    const series = byDay(await getBalanceSeries({ userId, days: 30, now: NOW }));
    expect(series['2026-11-01']).toBe(0);
    expect(series['2026-11-02']).toBe(0);
    expect(series['2026-11-03']).toBe(50);
    expect(series['2026-11-06']).toBe(50);
    expect(series['2026-11-07']).toBe(58);
    expect(series['2026-11-08']).toBe(55);
    expect(series['2026-11-30']).toBe(55);
  });

  it('opens the window with the balance of the last row before it, and counts a row at its first instant', async () => {
    const userId = await createUser();
    await grant(userId, 40, at('2026-10-31T23:59:59.999Z'));
    await grant(userId, 10, at('2026-11-01T00:00:00Z'));

    const thirty = await getBalanceSeries({ userId, days: 30, now: NOW });
    expect(thirty[0]?.balance).toBe(50);

    // A second user's grant one day earlier, the other side of the boundary.
    const other = await createUser();
    await grant(other, 40, at('2026-10-31T23:59:59.999Z'));
    const otherSeries = await getBalanceSeries({ userId: other, days: 30, now: NOW });
    expect(otherSeries.map((point) => point.balance)).toEqual(Array(30).fill(40));

    // The 90-day window sees the day before the boundary as a day of its own.
    const ninety = byDay(await getBalanceSeries({ userId, days: 90, now: NOW }));
    expect(Object.keys(ninety)).toHaveLength(90);
    expect(ninety['2026-09-02']).toBe(0);
    expect(ninety['2026-10-30']).toBe(0);
    expect(ninety['2026-10-31']).toBe(40);
    expect(ninety['2026-11-01']).toBe(50);
  });

  it('shows expiries as drops and ignores rows stamped after now', async () => {
    const userId = await createUser();
    await grant(userId, 30, at('2026-11-02T10:00:00Z'), at('2026-11-10T00:00:00Z'));
    await grant(userId, 5, at('2026-11-02T11:00:00Z'));
    await expireDueCredits({ now: at('2026-11-10T00:05:00Z'), batchSize: 10, timeBudgetMs: 10_000 });
    await spend(userId, 2, at('2026-11-30T14:59:59Z'));
    await spend(userId, 1, at('2026-11-30T16:00:00Z'));

    const series = byDay(await getBalanceSeries({ userId, days: 30, now: NOW }));
    expect(series['2026-11-09']).toBe(35);
    expect(series['2026-11-10']).toBe(5);
    expect(series['2026-11-30']).toBe(3);
  });

  it('never mixes in another user’s rows', async () => {
    const [mine, theirs] = [await createUser(), await createUser()];
    await grant(theirs, 500, at('2026-11-05T10:00:00Z'));
    await grant(mine, 1, at('2026-11-06T10:00:00Z'));
    const series = byDay(await getBalanceSeries({ userId: mine, days: 30, now: NOW }));
    expect(series['2026-11-05']).toBe(0);
    expect(series['2026-11-30']).toBe(1);
  });

  it('accepts only the 30- and 90-day ranges', async () => {
    const userId = await createUser();
    await expect(getBalanceSeries({ userId, days: 45 as 30, now: NOW })).rejects.toSatisfy((error) =>
      isCreditsError(error, 'INVALID_INPUT'),
    );
  });
});
