import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { addCredits, consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUser, daysAfter, expectLedgerConsistent, ledgerRowCounts } from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');

async function lotsOf(userId: string): Promise<{ amount: number; remaining: number }[]> {
  return getSql()<{ amount: number; remaining: number }[]>`
    SELECT amount, remaining FROM credit_lot WHERE user_id = ${userId} ORDER BY id`;
}

async function allocationsOf(transactionId: number): Promise<{ lot_amount: number; amount: number }[]> {
  return getSql()<{ lot_amount: number; amount: number }[]>`
    SELECT l.amount AS lot_amount, a.amount FROM credit_allocation a JOIN credit_lot l ON l.id = a.lot_id
    WHERE a.transaction_id = ${transactionId} ORDER BY l.id`;
}

describe('consumeCredits', () => {
  it('lowers the balance, appends a CONSUME row and records which lots it took from', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 30, sourceType: 'manual' }, { now: NOW });

    const result = await consumeCredits(
      { userId, amount: 12, sourceType: 'ai_call', description: 'Summarise', metadata: { model: 'demo' } },
      { now: NOW },
    );

    expect(result).toMatchObject({ ok: true, balance: 18, replayed: false });
    if (!result.ok) return;
    const [row] = await getSql()`
      SELECT type, amount, balance_after, source_type, description, metadata FROM credit_transaction
      WHERE id = ${result.transactionId}`;
    expect(row).toEqual({
      type: 'CONSUME',
      amount: -12,
      balance_after: '18',
      source_type: 'ai_call',
      description: 'Summarise',
      metadata: { model: 'demo' },
    });
    expect(await allocationsOf(result.transactionId)).toEqual([{ lot_amount: 30, amount: 12 }]);
    const [balance] =
      await getSql()`SELECT current_credits, lifetime_consumed FROM user_credit WHERE user_id = ${userId}`;
    expect(balance).toEqual({ current_credits: '18', lifetime_consumed: '12' });
    await expectLedgerConsistent();
  });

  it('burns the soonest-expiring lots first and never-expiring lots last', async () => {
    const userId = await createUser();
    // Granted in an order unlike the burn order, to show the order comes from the expiry.
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: NOW });
    await addCredits(
      { userId, amount: 10, sourceType: 'credit_pack', expirationDate: daysAfter(NOW, 90) },
      { now: NOW },
    );
    await addCredits(
      { userId, amount: 10, sourceType: 'register_gift', expirationDate: daysAfter(NOW, 30) },
      { now: NOW },
    );

    const first = await consumeCredits({ userId, amount: 15, sourceType: 'ai_call' }, { now: NOW });
    expect(await lotsOf(userId)).toEqual([
      { amount: 10, remaining: 10 },
      { amount: 10, remaining: 5 },
      { amount: 10, remaining: 0 },
    ]);
    const second = await consumeCredits({ userId, amount: 8, sourceType: 'ai_call' }, { now: NOW });
    expect(await lotsOf(userId)).toEqual([
      { amount: 10, remaining: 7 },
      { amount: 10, remaining: 0 },
      { amount: 10, remaining: 0 },
    ]);
    expect(first.ok && second.ok).toBe(true);
    if (first.ok) expect(await allocationsOf(first.transactionId)).toHaveLength(2);
    await expectLedgerConsistent();
  });

  it('answers INSUFFICIENT with the balance and writes nothing when the balance does not cover it', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 5, sourceType: 'manual' }, { now: NOW });
    const before = await ledgerRowCounts(userId);

    expect(await consumeCredits({ userId, amount: 6, sourceType: 'ai_call' }, { now: NOW })).toEqual({
      ok: false,
      reason: 'INSUFFICIENT',
      balance: 5,
    });
    expect(await ledgerRowCounts(userId)).toEqual(before);

    // Spending exactly the balance is fine and leaves zero.
    expect(await consumeCredits({ userId, amount: 5, sourceType: 'ai_call' }, { now: NOW })).toMatchObject({
      ok: true,
      balance: 0,
    });
  });

  it('answers INSUFFICIENT for a user who was never granted anything, without creating rows', async () => {
    const userId = await createUser();
    expect(await consumeCredits({ userId, amount: 1, sourceType: 'ai_call' })).toEqual({
      ok: false,
      reason: 'INSUFFICIENT',
      balance: 0,
    });
    expect(await ledgerRowCounts(userId)).toMatchObject({ user_credit: 0, credit_transaction: 0 });
  });

  it('never spends credits at or after their expiry, even before the cron has run', async () => {
    const userId = await createUser();
    const expiresAt = daysAfter(NOW, 30);
    await addCredits(
      { userId, amount: 50, sourceType: 'register_gift', expirationDate: expiresAt },
      { now: NOW },
    );
    await addCredits({ userId, amount: 5, sourceType: 'manual' }, { now: NOW });

    // At the exact instant of expiry the gift is gone: only the 5 never-expiring credits remain.
    const result = await consumeCredits({ userId, amount: 6, sourceType: 'ai_call' }, { now: expiresAt });
    expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: 5 });
    const expired = await getSql()`
      SELECT amount, balance_after, source_type FROM credit_transaction WHERE user_id = ${userId} AND type = 'EXPIRE'`;
    expect(expired).toEqual([{ amount: -50, balance_after: '5', source_type: 'expiration_inline' }]);

    // One microsecond before, the gift was still spendable.
    const other = await createUser();
    await addCredits(
      { userId: other, amount: 50, sourceType: 'register_gift', expirationDate: expiresAt },
      { now: NOW },
    );
    const justBefore = new Date(expiresAt.getTime() - 1);
    expect(
      await consumeCredits({ userId: other, amount: 50, sourceType: 'ai_call' }, { now: justBefore }),
    ).toMatchObject({
      ok: true,
      balance: 0,
    });
    await expectLedgerConsistent();
  });

  it('replays a repeated key with the same payload and reports a conflict for a different one', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 20, sourceType: 'manual' });
    const input = { userId, amount: 4, sourceType: 'ai_call', idempotencyKey: 'ai:req_7' } as const;

    const first = await consumeCredits(input);
    const replay = await consumeCredits(input);
    expect(first).toMatchObject({ ok: true, balance: 16, replayed: false });
    expect(replay).toEqual({ ...first, replayed: true });

    const before = await ledgerRowCounts(userId);
    const id = first.ok ? first.transactionId : -1;
    expect(await consumeCredits({ ...input, amount: 5 })).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: id,
    });
    expect(await consumeCredits({ ...input, sourceType: 'image_generation' })).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: id,
    });
    expect(await ledgerRowCounts(userId)).toEqual(before);

    // Keys are per user: another user may use the same key for their own call.
    const other = await createUser();
    await addCredits({ userId: other, amount: 4, sourceType: 'manual' });
    expect(await consumeCredits({ ...input, userId: other })).toMatchObject({
      ok: true,
      replayed: false,
      balance: 0,
    });
  });

  it('replays a key even after the balance has run out, rather than reporting INSUFFICIENT', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 3, sourceType: 'manual' });
    const input = { userId, amount: 3, sourceType: 'ai_call', idempotencyKey: 'ai:req_all' } as const;
    const first = await consumeCredits(input);
    expect(await consumeCredits(input)).toEqual(first.ok ? { ...first, replayed: true } : null);
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ['zero amount', { amount: 0 }, 'INVALID_INPUT'],
    ['negative amount', { amount: -1 }, 'INVALID_INPUT'],
    ['fractional amount', { amount: 0.5 }, 'INVALID_INPUT'],
    ['NaN amount', { amount: Number.NaN }, 'INVALID_INPUT'],
    ['amount above the maximum', { amount: 1_000_000_001 }, 'INVALID_INPUT'],
    ['missing amount', { amount: undefined }, 'INVALID_INPUT'],
    ['unknown source type', { sourceType: 'coffee' }, 'UNKNOWN_SOURCE_TYPE'],
    ['grant source type on a consume', { sourceType: 'register_gift' }, 'UNKNOWN_SOURCE_TYPE'],
    ['malformed key (non-ASCII)', { idempotencyKey: 'clé' }, 'INVALID_INPUT'],
    ['malformed key (newline)', { idempotencyKey: 'a\nb' }, 'INVALID_INPUT'],
    ['description too long', { description: 'x'.repeat(501) }, 'INVALID_INPUT'],
    ['metadata too large', { metadata: { blob: 'x'.repeat(5_000) } }, 'INVALID_INPUT'],
    ['unknown field', { expirationDate: NOW }, 'INVALID_INPUT'],
    ['unknown user', { userId: 'no_such_user' }, 'UNKNOWN_USER'],
  ];

  it.each(badInputs)('rejects %s with a typed error and writes nothing', async (_name, patch, code) => {
    const userId = await createUser();
    await addCredits({ userId, amount: 50, sourceType: 'manual' }, { now: NOW });
    const before = await ledgerRowCounts();
    const input = { userId, amount: 10, sourceType: 'ai_call', ...patch };
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input, as untyped callers send it
    await expect(consumeCredits(input as any, { now: NOW })).rejects.toSatisfy((error) =>
      isCreditsError(error, code as never),
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });

  it('rejects an invalid clock with a typed error', async () => {
    const userId = await createUser();
    await expect(
      consumeCredits({ userId, amount: 1, sourceType: 'ai_call' }, { now: new Date(Number.NaN) }),
    ).rejects.toSatisfy((error) => isCreditsError(error, 'INVALID_INPUT'));
  });
});
