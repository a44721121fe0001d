import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { decodeCursor, encodeCursor, getCreditBalance, getCreditHistory } from '@/credits/queries';
import { addCredits, consumeCredits, refundCredits } from '@/credits/server';
import { createUser, daysAfter } from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');

describe('getCreditBalance', () => {
  it('is all zeros for a user with no credits yet', async () => {
    const userId = await createUser();
    expect(await getCreditBalance(userId, { now: NOW })).toEqual({
      current: 0,
      available: 0,
      lifetimeGranted: 0,
      lifetimeConsumed: 0,
      lifetimeExpired: 0,
      lifetimeRefunded: 0,
      nextExpiration: null,
    });
  });

  it('reports the lifetime totals and what expires next: the exact amount and instant', async () => {
    const userId = await createUser();
    const soon = new Date('2026-12-01T10:00:00.123Z');
    await addCredits({ userId, amount: 20, sourceType: 'register_gift', expirationDate: soon }, { now: NOW });
    await addCredits({ userId, amount: 15, sourceType: 'credit_pack', expirationDate: soon }, { now: NOW });
    await addCredits(
      { userId, amount: 40, sourceType: 'credit_pack', expirationDate: daysAfter(NOW, 90) },
      { now: NOW },
    );
    await addCredits({ userId, amount: 100, sourceType: 'manual' }, { now: NOW });
    const consume = await consumeCredits({ userId, amount: 25, sourceType: 'ai_call' }, { now: NOW });
    if (!consume.ok) throw new Error('setup consume failed');
    await refundCredits(
      { userId, transactionId: consume.transactionId, amount: 5, sourceType: 'failed_call' },
      { now: NOW },
    );

    // Two lots expire at the same instant: 20 + 15, less the 25 spent, plus the 5 refunded to the
    // latest-expiring of them.
    expect(await getCreditBalance(userId, { now: NOW })).toEqual({
      current: 155,
      available: 155,
      lifetimeGranted: 175,
      lifetimeConsumed: 25,
      lifetimeExpired: 0,
      lifetimeRefunded: 5,
      nextExpiration: { amount: 15, expiresAt: soon },
    });
  });

  it('counts lots already due but not yet swept as unavailable, and looks past them for the next', async () => {
    const userId = await createUser();
    await addCredits(
      { userId, amount: 30, sourceType: 'register_gift', expirationDate: daysAfter(NOW, 1) },
      { now: NOW },
    );
    await addCredits(
      { userId, amount: 10, sourceType: 'credit_pack', expirationDate: daysAfter(NOW, 5) },
      { now: NOW },
    );

    const balance = await getCreditBalance(userId, { now: daysAfter(NOW, 2) });
    expect(balance).toMatchObject({ current: 40, available: 10 });
    expect(balance.nextExpiration).toEqual({ amount: 10, expiresAt: daysAfter(NOW, 5) });
  });

  it('rejects a malformed user id with a typed error', async () => {
    await expect(getCreditBalance('')).rejects.toSatisfy((error) => isCreditsError(error, 'INVALID_INPUT'));
  });
});

describe('getCreditHistory', () => {
  async function userWithHistory(count: number): Promise<{ userId: string; ids: number[] }> {
    const userId = await createUser();
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const result =
        index % 3 === 2
          ? await consumeCredits({ userId, amount: 1, sourceType: 'ai_call' })
          : await addCredits({ userId, amount: 2, sourceType: 'manual' });
      if (!result.ok) throw new Error('setup failed');
      ids.push(result.transactionId);
    }
    return { userId, ids: ids.reverse() }; // newest first, as the history lists them
  }

  it('pages newest first, forwards and back, with stable cursors', async () => {
    const { userId, ids } = await userWithHistory(12);

    const first = await getCreditHistory({ userId, limit: 5 });
    expect(first.items.map((row) => row.id)).toEqual(ids.slice(0, 5));
    expect(first.prevCursor).toBeNull();
    const second = await getCreditHistory({ userId, limit: 5, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((row) => row.id)).toEqual(ids.slice(5, 10));
    const third = await getCreditHistory({ userId, limit: 5, cursor: second.nextCursor ?? undefined });
    expect(third.items.map((row) => row.id)).toEqual(ids.slice(10));
    expect(third.nextCursor).toBeNull();

    // Back from the last page lands on the same rows as before.
    const back = await getCreditHistory({ userId, limit: 5, cursor: third.prevCursor ?? undefined });
    expect(back.items.map((row) => row.id)).toEqual(ids.slice(5, 10));
    const front = await getCreditHistory({ userId, limit: 5, cursor: back.prevCursor ?? undefined });
    expect(front.items.map((row) => row.id)).toEqual(ids.slice(0, 5));
    expect(front.prevCursor).toBeNull();
  });

  it('keeps a page stable while new transactions arrive', async () => {
    const { userId, ids } = await userWithHistory(8);
    const first = await getCreditHistory({ userId, limit: 4 });
    await addCredits({ userId, amount: 1, sourceType: 'manual' });
    await addCredits({ userId, amount: 1, sourceType: 'manual' });

    const second = await getCreditHistory({ userId, limit: 4, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((row) => row.id)).toEqual(ids.slice(4, 8));
    expect(second.nextCursor).toBeNull();
  });

  it('filters by type', async () => {
    const { userId, ids } = await userWithHistory(9);
    const consumes = await getCreditHistory({ userId, limit: 10, type: 'CONSUME' });
    expect(consumes.items).toHaveLength(3);
    expect(consumes.items.every((row) => row.type === 'CONSUME')).toBe(true);
    expect(consumes.items.map((row) => row.id)).toEqual(ids.filter((_, index) => (8 - index) % 3 === 2));
  });

  it('never shows another user’s rows, whatever cursor is passed', async () => {
    const victim = await userWithHistory(6);
    const attacker = await userWithHistory(2);

    // A cursor taken from the victim's pages, and a forged one pointing past every id, both only ever
    // select the attacker's own rows.
    const victimPage = await getCreditHistory({ userId: victim.userId, limit: 2 });
    const forged = encodeCursor({ direction: 'older', id: Number.MAX_SAFE_INTEGER });
    for (const cursor of [victimPage.nextCursor ?? '', forged, encodeCursor({ direction: 'newer', id: 1 })]) {
      const page = await getCreditHistory({ userId: attacker.userId, limit: 10, cursor });
      expect(page.items.every((row) => row.userId === attacker.userId)).toBe(true);
    }
    expect(
      (await getCreditHistory({ userId: attacker.userId, limit: 10, cursor: forged })).items.map(
        (row) => row.id,
      ),
    ).toEqual(attacker.ids);
  });

  it('rejects malformed cursors and limits with a typed error', async () => {
    const userId = await createUser();
    const bad: Parameters<typeof getCreditHistory>[0][] = [
      { userId, limit: 10, cursor: 'not-a-cursor' },
      { userId, limit: 10, cursor: Buffer.from('o.-5').toString('base64url') },
      { userId, limit: 10, cursor: Buffer.from('x.5').toString('base64url') },
      { userId, limit: 0 },
      { userId, limit: 101 },
      { userId, limit: 1.5 },
    ];
    for (const input of bad) {
      await expect(getCreditHistory(input)).rejects.toSatisfy((error) =>
        isCreditsError(error, 'INVALID_INPUT'),
      );
    }
    expect(decodeCursor(encodeCursor({ direction: 'newer', id: 42 }))).toEqual({
      direction: 'newer',
      id: 42,
    });
  });
});
