import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { addCredits, consumeCredits, expireDueCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUser, createUsers, daysAfter, expectLedgerConsistent, ledgerRowCounts } from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');
const JOB = { batchSize: 50, timeBudgetMs: 30_000 };

describe('expireDueCredits', () => {
  it('expires the unspent remainder of each due lot with one EXPIRE row linked to its grant', async () => {
    const userId = await createUser();
    const gift = await addCredits(
      { userId, amount: 50, sourceType: 'register_gift', expirationDate: daysAfter(NOW, 30) },
      { now: NOW },
    );
    const pack = await addCredits(
      { userId, amount: 40, sourceType: 'credit_pack', expirationDate: daysAfter(NOW, 60) },
      { now: NOW },
    );
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    await consumeCredits({ userId, amount: 20, sourceType: 'ai_call' }, { now: NOW }); // all from the gift

    const at = daysAfter(NOW, 31);
    expect(await expireDueCredits({ ...JOB, now: at })).toEqual({
      expired: 1,
      credits: 30,
      batches: 1,
      more: false,
    });

    const rows = await getSql()`
      SELECT amount, balance_after, source_type, related_transaction_id, (created_at AT TIME ZONE 'UTC')::text AS created_at
      FROM credit_transaction WHERE user_id = ${userId} AND type = 'EXPIRE'`;
    expect(rows).toEqual([
      {
        amount: -30,
        balance_after: '50',
        source_type: 'expiration_cron',
        related_transaction_id: String(gift.ok ? gift.transactionId : -1),
        created_at: expect.stringMatching(/^2026-12-02 10:00:00/),
      },
    ]);

    // The pack expires later, on its own day; the never-expiring credits stay.
    expect(await expireDueCredits({ ...JOB, now: daysAfter(NOW, 61) })).toMatchObject({
      expired: 1,
      credits: 40,
    });
    const [balance] =
      await getSql()`SELECT current_credits, lifetime_expired FROM user_credit WHERE user_id = ${userId}`;
    expect(balance).toEqual({ current_credits: '10', lifetime_expired: '70' });
    expect(pack.ok).toBe(true);
    await expectLedgerConsistent();
  });

  it('expires a lot at its exact expiry instant, not a microsecond before', async () => {
    const userId = await createUser();
    const expiresAt = daysAfter(NOW, 1);
    await addCredits({ userId, amount: 5, sourceType: 'manual', expirationDate: expiresAt }, { now: NOW });

    expect(await expireDueCredits({ ...JOB, now: new Date(expiresAt.getTime() - 1) })).toMatchObject({
      expired: 0,
    });
    expect(await expireDueCredits({ ...JOB, now: expiresAt })).toMatchObject({ expired: 1, credits: 5 });
  });

  it('writes nothing for a fully spent lot and is idempotent', async () => {
    const userId = await createUser();
    await addCredits(
      { userId, amount: 5, sourceType: 'manual', expirationDate: daysAfter(NOW, 1) },
      { now: NOW },
    );
    await consumeCredits({ userId, amount: 5, sourceType: 'ai_call' }, { now: NOW });
    const before = await ledgerRowCounts(userId);

    expect(await expireDueCredits({ ...JOB, now: daysAfter(NOW, 2) })).toMatchObject({
      expired: 0,
      more: false,
    });
    expect(await ledgerRowCounts(userId)).toEqual(before);
  });

  it('works through many users in bounded batches and reports more while the budget runs out', async () => {
    const users = await createUsers(25);
    for (const userId of users) {
      await addCredits(
        { userId, amount: 3, sourceType: 'manual', expirationDate: daysAfter(NOW, 1) },
        { now: NOW },
      );
    }
    const at = daysAfter(NOW, 2);

    // A zero time budget still runs nothing, and says there is more.
    expect(await expireDueCredits({ now: at, batchSize: 10, timeBudgetMs: 0 })).toEqual({
      expired: 0,
      credits: 0,
      batches: 0,
      more: true,
    });
    expect(await expireDueCredits({ now: at, batchSize: 10, timeBudgetMs: 30_000 })).toEqual({
      expired: 25,
      credits: 75,
      batches: 3,
      more: false,
    });
    await expectLedgerConsistent();
  });

  it('rejects a batch size out of range with a typed error', async () => {
    for (const batchSize of [0, -1, 1.5, 10_000]) {
      await expect(expireDueCredits({ batchSize, timeBudgetMs: 1_000 })).rejects.toSatisfy((error) =>
        isCreditsError(error, 'INVALID_INPUT'),
      );
    }
  });
});
