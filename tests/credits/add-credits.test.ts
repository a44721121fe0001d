import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { addCredits } from '@/credits/server';
import { getSql } from '@/db';
import {
  createPayment,
  createUser,
  daysAfter,
  expectLedgerConsistent,
  ledgerRowCounts,
  toDate,
} from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');

describe('addCredits', () => {
  it('raises the balance, appends a GRANT row and opens a lot for the grant', async () => {
    const userId = await createUser();
    const expirationDate = daysAfter(NOW, 30);
    const result = await addCredits(
      {
        userId,
        amount: 50,
        sourceType: 'register_gift',
        expirationDate,
        description: 'Welcome',
        metadata: { a: 1 },
      },
      { now: NOW },
    );
    expect(result).toMatchObject({ ok: true, balance: 50, replayed: false });
    const second = await addCredits({ userId, amount: 20, sourceType: 'manual' }, { now: NOW });
    expect(second).toMatchObject({ ok: true, balance: 70 });

    const rows = (
      await getSql()`SELECT type, amount, balance_after, source_type, expiration_date, description, metadata
        FROM credit_transaction WHERE user_id = ${userId} ORDER BY id`
    ).map((row) => ({ ...row, expiration_date: toDate(row.expiration_date) }));
    expect(rows).toEqual([
      expect.objectContaining({
        type: 'GRANT',
        amount: 50,
        balance_after: '50',
        source_type: 'register_gift',
        expiration_date: expirationDate,
        description: 'Welcome',
        metadata: { a: 1 },
      }),
      expect.objectContaining({
        type: 'GRANT',
        amount: 20,
        balance_after: '70',
        source_type: 'manual',
        expiration_date: null,
      }),
    ]);
    const lots = (
      await getSql()`SELECT amount, remaining, expires_at FROM credit_lot WHERE user_id = ${userId} ORDER BY id`
    ).map((row) => ({ ...row, expires_at: toDate(row.expires_at) }));
    expect(lots).toEqual([
      { amount: 50, remaining: 50, expires_at: expirationDate },
      { amount: 20, remaining: 20, expires_at: null },
    ]);
    await expectLedgerConsistent();
  });

  it('replays a repeated key with the same payload and reports a conflict for a different one', async () => {
    const userId = await createUser();
    const first = await addCredits({ userId, amount: 10, sourceType: 'manual', idempotencyKey: 'grant:1' });
    const replay = await addCredits({ userId, amount: 10, sourceType: 'manual', idempotencyKey: 'grant:1' });
    expect(first.ok && replay.ok && replay.transactionId === first.transactionId).toBe(true);
    expect(replay).toMatchObject({ ok: true, replayed: true, balance: 10 });

    const conflict = await addCredits({
      userId,
      amount: 11,
      sourceType: 'manual',
      idempotencyKey: 'grant:1',
    });
    expect(conflict).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: first.ok ? first.transactionId : -1,
    });
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 1, balances: 10 });

    // Keys are per user: another user may use the same key.
    const other = await createUser();
    expect(
      await addCredits({ userId: other, amount: 10, sourceType: 'manual', idempotencyKey: 'grant:1' }),
    ).toMatchObject({
      ok: true,
      replayed: false,
    });
  });

  it('grants a payment at most once, whatever the key', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({ userId });
    const first = await addCredits({
      userId,
      amount: 100,
      sourceType: 'credit_pack',
      paymentId,
      idempotencyKey: 'a',
    });
    const again = await addCredits({
      userId,
      amount: 100,
      sourceType: 'credit_pack',
      paymentId,
      idempotencyKey: 'b',
    });
    const unkeyed = await addCredits({ userId, amount: 100, sourceType: 'credit_pack', paymentId });
    expect(first).toMatchObject({ ok: true, balance: 100 });
    const duplicate = { ok: false, reason: 'DUPLICATE', transactionId: first.ok ? first.transactionId : -1 };
    expect(again).toEqual(duplicate);
    expect(unkeyed).toEqual(duplicate);
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 1, balances: 100 });
  });

  it('refuses a payment of another user', async () => {
    const owner = await createUser();
    const thief = await createUser();
    const paymentId = await createPayment({ userId: owner });
    const before = await ledgerRowCounts();
    await expect(
      addCredits({ userId: thief, amount: 100, sourceType: 'credit_pack', paymentId }),
    ).rejects.toSatisfy((error) => isCreditsError(error, 'PAYMENT_MISMATCH'));
    await expect(
      addCredits({ userId: thief, amount: 100, sourceType: 'credit_pack', paymentId: 999_999 }),
    ).rejects.toSatisfy((error) => isCreditsError(error, 'PAYMENT_MISMATCH'));
    expect(await ledgerRowCounts()).toEqual(before);
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ['zero amount', { amount: 0 }, 'INVALID_INPUT'],
    ['negative amount', { amount: -5 }, 'INVALID_INPUT'],
    ['fractional amount', { amount: 1.5 }, 'INVALID_INPUT'],
    ['NaN amount', { amount: Number.NaN }, 'INVALID_INPUT'],
    ['infinite amount', { amount: Number.POSITIVE_INFINITY }, 'INVALID_INPUT'],
    ['amount above the maximum', { amount: 1_000_000_001 }, 'INVALID_INPUT'],
    ['amount as a string', { amount: '10' }, 'INVALID_INPUT'],
    ['unknown source type', { sourceType: 'free_money' }, 'UNKNOWN_SOURCE_TYPE'],
    ['consume source type on a grant', { sourceType: 'ai_call' }, 'UNKNOWN_SOURCE_TYPE'],
    ['malformed key (space)', { idempotencyKey: 'has space' }, 'INVALID_INPUT'],
    ['malformed key (empty)', { idempotencyKey: '' }, 'INVALID_INPUT'],
    ['malformed key (too long)', { idempotencyKey: 'k'.repeat(201) }, 'INVALID_INPUT'],
    ['invalid expiration date', { expirationDate: new Date('nope') }, 'INVALID_INPUT'],
    ['expiration date in the past', { expirationDate: new Date('2020-01-01T00:00:00Z') }, 'INVALID_INPUT'],
    ['expiration date equal to now', { expirationDate: NOW }, 'INVALID_INPUT'],
    ['unknown field', { balance: 1_000 }, 'INVALID_INPUT'],
    ['empty user id', { userId: '' }, 'INVALID_INPUT'],
    ['unknown user', { userId: 'no_such_user' }, 'UNKNOWN_USER'],
  ];

  it.each(badInputs)('rejects %s with a typed error and writes nothing', async (_name, patch, code) => {
    const userId = await createUser();
    await addCredits({ userId, amount: 5, sourceType: 'manual' }, { now: NOW });
    const before = await ledgerRowCounts();
    const input = { userId, amount: 10, sourceType: 'manual', ...patch };
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input, as untyped callers send it
    await expect(addCredits(input as any, { now: NOW })).rejects.toSatisfy((error) =>
      isCreditsError(error, code as never),
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });
});
