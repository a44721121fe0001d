import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { addCredits, consumeCredits, refundCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUser, daysAfter, expectLedgerConsistent, ledgerRowCounts } from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');

async function consumed(userId: string, amount: number, now = NOW): Promise<number> {
  const result = await consumeCredits({ userId, amount, sourceType: 'ai_call' }, { now });
  if (!result.ok) throw new Error(`setup consume of ${amount} failed: ${result.reason}`);
  return result.transactionId;
}

async function lotsOf(userId: string): Promise<number[]> {
  const rows = await getSql()<{ remaining: number }[]>`
    SELECT remaining FROM credit_lot WHERE user_id = ${userId} ORDER BY id`;
  return rows.map((row) => row.remaining);
}

describe('refundCredits', () => {
  it('gives back everything a consume took, linked to it, by default', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 20, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(userId, 8);

    const result = await refundCredits(
      { userId, transactionId: consumeId, sourceType: 'failed_call', description: 'Model timed out' },
      { now: NOW },
    );

    expect(result).toMatchObject({ ok: true, amount: 8, balance: 20, expiredAmount: 0, replayed: false });
    if (!result.ok) return;
    const [row] = await getSql()`
      SELECT type, amount, balance_after, source_type, related_transaction_id, description
      FROM credit_transaction WHERE id = ${result.transactionId}`;
    expect(row).toEqual({
      type: 'REFUND',
      amount: 8,
      balance_after: '20',
      source_type: 'failed_call',
      related_transaction_id: String(consumeId),
      description: 'Model timed out',
    });
    expect(await lotsOf(userId)).toEqual([20]);
    const [totals] =
      await getSql()`SELECT lifetime_consumed, lifetime_refunded FROM user_credit WHERE user_id = ${userId}`;
    expect(totals).toEqual({ lifetime_consumed: '8', lifetime_refunded: '8' });
    await expectLedgerConsistent();
  });

  it('adds up partial refunds and never gives back more than the consume took', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 20, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(userId, 10);

    expect(
      await refundCredits(
        { userId, transactionId: consumeId, amount: 4, sourceType: 'failed_call' },
        { now: NOW },
      ),
    ).toMatchObject({ ok: true, amount: 4, balance: 14 });
    expect(
      await refundCredits(
        { userId, transactionId: consumeId, amount: 7, sourceType: 'failed_call' },
        { now: NOW },
      ),
    ).toEqual({ ok: false, reason: 'EXCEEDS_REFUNDABLE', refundableAmount: 6 });
    expect(
      await refundCredits({ userId, transactionId: consumeId, sourceType: 'manual_reversal' }, { now: NOW }),
    ).toMatchObject({ ok: true, amount: 6, balance: 20 });

    const before = await ledgerRowCounts(userId);
    expect(
      await refundCredits({ userId, transactionId: consumeId, sourceType: 'failed_call' }, { now: NOW }),
    ).toEqual({
      ok: false,
      reason: 'EXCEEDS_REFUNDABLE',
      refundableAmount: 0,
    });
    expect(await ledgerRowCounts(userId)).toEqual(before);
    await expectLedgerConsistent();
  });

  it('returns credits to the lots they came from, latest-expiring first', async () => {
    const userId = await createUser();
    await addCredits(
      { userId, amount: 10, sourceType: 'register_gift', expirationDate: daysAfter(NOW, 5) },
      { now: NOW },
    );
    await addCredits(
      { userId, amount: 10, sourceType: 'credit_pack', expirationDate: daysAfter(NOW, 50) },
      { now: NOW },
    );
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(userId, 25);
    expect(await lotsOf(userId)).toEqual([0, 0, 5]);

    // The never-expiring lot gets its 5 back first, then the pack's (day 50), then the gift's (day 5).
    await refundCredits(
      { userId, transactionId: consumeId, amount: 7, sourceType: 'failed_call' },
      { now: NOW },
    );
    expect(await lotsOf(userId)).toEqual([0, 2, 10]);
    await refundCredits({ userId, transactionId: consumeId, sourceType: 'failed_call' }, { now: NOW });
    expect(await lotsOf(userId)).toEqual([10, 10, 10]);
    await expectLedgerConsistent();
  });

  it('expires at once the refunded credits whose lot has expired meanwhile', async () => {
    const userId = await createUser();
    const giftExpiry = daysAfter(NOW, 30);
    await addCredits(
      { userId, amount: 50, sourceType: 'register_gift', expirationDate: giftExpiry },
      { now: NOW },
    );
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(userId, 55); // 50 from the gift, 5 from the never-expiring lot
    const later = daysAfter(NOW, 40);

    const result = await refundCredits(
      { userId, transactionId: consumeId, sourceType: 'failed_call' },
      { now: later },
    );

    // All 55 come back, but the gift's 50 expired on day 30, so they expire again at once.
    expect(result).toMatchObject({ ok: true, amount: 55, expiredAmount: 50, balance: 10 });
    if (!result.ok) return;
    const rows = await getSql()`
      SELECT type, amount, balance_after, source_type, related_transaction_id FROM credit_transaction
      WHERE user_id = ${userId} AND id >= ${result.transactionId} ORDER BY id`;
    expect(rows).toEqual([
      {
        type: 'REFUND',
        amount: 55,
        balance_after: '60',
        source_type: 'failed_call',
        related_transaction_id: String(consumeId),
      },
      {
        type: 'EXPIRE',
        amount: -50,
        balance_after: '10',
        source_type: 'expired_on_refund',
        related_transaction_id: String(result.transactionId),
      },
    ]);
    expect(await lotsOf(userId)).toEqual([0, 10]);
    await expectLedgerConsistent();
  });

  it('replays a repeated key, reports a conflict for a different payload under it', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(userId, 10);
    const input = {
      userId,
      transactionId: consumeId,
      amount: 3,
      sourceType: 'failed_call',
      idempotencyKey: 'refund:a',
    } as const;

    const first = await refundCredits(input, { now: NOW });
    const replay = await refundCredits(input, { now: NOW });
    expect(first).toMatchObject({ ok: true, amount: 3, balance: 3, replayed: false });
    expect(replay).toEqual({ ...first, replayed: true });

    const before = await ledgerRowCounts(userId);
    const id = first.ok ? first.transactionId : -1;
    expect(await refundCredits({ ...input, amount: 4 }, { now: NOW })).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: id,
    });
    expect(await refundCredits({ ...input, amount: undefined }, { now: NOW })).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: id,
    });
    expect(await ledgerRowCounts(userId)).toEqual(before);
  });

  it('replays a refund whose credits expired at once with the same figures', async () => {
    const userId = await createUser();
    await addCredits(
      { userId, amount: 20, sourceType: 'register_gift', expirationDate: daysAfter(NOW, 1) },
      { now: NOW },
    );
    const consumeId = await consumed(userId, 20);
    const input = {
      userId,
      transactionId: consumeId,
      sourceType: 'failed_call',
      idempotencyKey: 'refund:late',
    } as const;
    const later = daysAfter(NOW, 2);

    const first = await refundCredits(input, { now: later });
    expect(first).toMatchObject({ ok: true, amount: 20, expiredAmount: 20, balance: 0 });
    expect(await refundCredits(input, { now: later })).toEqual({ ...first, replayed: true });
  });

  it('refuses to refund a transaction that is not a consume of this user', async () => {
    const owner = await createUser();
    const other = await createUser();
    const grant = await addCredits({ userId: owner, amount: 10, sourceType: 'manual' }, { now: NOW });
    await addCredits({ userId: other, amount: 10, sourceType: 'manual' }, { now: NOW });
    const consumeId = await consumed(owner, 5);
    const before = await ledgerRowCounts();

    const attempts = [
      { userId: other, transactionId: consumeId }, // another user's consume
      { userId: owner, transactionId: grant.ok ? grant.transactionId : -1 }, // a grant, not a consume
      { userId: owner, transactionId: 987_654_321 }, // no such transaction
    ];
    for (const attempt of attempts) {
      await expect(refundCredits({ ...attempt, sourceType: 'failed_call' }, { now: NOW })).rejects.toSatisfy(
        (error) => isCreditsError(error, 'TRANSACTION_NOT_FOUND'),
      );
    }
    expect(await ledgerRowCounts()).toEqual(before);
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ['zero amount', { amount: 0 }, 'INVALID_INPUT'],
    ['negative amount', { amount: -3 }, 'INVALID_INPUT'],
    ['fractional amount', { amount: 2.5 }, 'INVALID_INPUT'],
    ['NaN amount', { amount: Number.NaN }, 'INVALID_INPUT'],
    ['amount above the maximum', { amount: 2_000_000_000 }, 'INVALID_INPUT'],
    ['transaction id zero', { transactionId: 0 }, 'INVALID_INPUT'],
    ['transaction id as a string', { transactionId: '1' }, 'INVALID_INPUT'],
    ['unknown source type', { sourceType: 'oops' }, 'UNKNOWN_SOURCE_TYPE'],
    ['consume source type on a refund', { sourceType: 'ai_call' }, 'UNKNOWN_SOURCE_TYPE'],
    ['malformed key', { idempotencyKey: 'x'.repeat(201) }, 'INVALID_INPUT'],
    ['unknown user', { userId: 'no_such_user' }, 'UNKNOWN_USER'],
  ];

  it.each(badInputs)('rejects %s with a typed error and writes nothing', async (_name, patch, code) => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    const transactionId = await consumed(userId, 5);
    const before = await ledgerRowCounts();
    const input = { userId, transactionId, sourceType: 'failed_call', ...patch };
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input, as untyped callers send it
    await expect(refundCredits(input as any, { now: NOW })).rejects.toSatisfy((error) =>
      isCreditsError(error, code as never),
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });
});
