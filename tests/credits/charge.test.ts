import { afterEach, describe, expect, it, vi } from 'vitest';
import { chargeCredits } from '@/credits';
import { isCreditsError } from '@/credits/errors';
import { addCredits, consumeCredits, refundCredits } from '@/credits/server';
import { getSql } from '@/db';
import { balanceOf, createUser, expectLedgerConsistent, ledgerRowCounts } from '../factories';

async function userWith(credits: number): Promise<string> {
  const userId = await createUser();
  if (credits > 0) await addCredits({ userId, amount: credits, sourceType: 'manual' });
  return userId;
}

async function logOf(userId: string) {
  return getSql()<
    { id: string; type: string; amount: number; source_type: string; related_transaction_id: string | null }[]
  >`SELECT id, type, amount, source_type, related_transaction_id FROM credit_transaction
    WHERE user_id = ${userId} AND type <> 'GRANT' ORDER BY id`;
}

/** A unit of work that counts its runs and answers after a short wait, like a provider call. */
function countingWork<T>(value: T) {
  const runs: { transactionId: number; balance: number }[] = [];
  const work = async (charge: { transactionId: number; balance: number }) => {
    runs.push(charge);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return value;
  };
  return { runs, work };
}

const charge = (userId: string, key: string, amount = 5) => ({
  userId,
  amount,
  sourceType: 'ai_call' as const,
  description: 'Summarise',
  idempotencyKey: key,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('chargeCredits', () => {
  it('charges once, before the work, and hands the work its charge', async () => {
    const userId = await userWith(20);
    const { runs, work } = countingWork('summary');

    const result = await chargeCredits(charge(userId, 'ai:success'), work);

    expect(result).toMatchObject({ ok: true, value: 'summary', balance: 15 });
    if (!result.ok) return;
    expect(runs).toEqual([{ transactionId: result.transactionId, balance: 15 }]);
    const log = await logOf(userId);
    expect(log).toMatchObject([{ type: 'CONSUME', amount: -5, source_type: 'ai_call' }]);
    expect(Number(log[0]?.id)).toBe(result.transactionId);
    expect(await balanceOf(userId)).toBe(15);
    await expectLedgerConsistent();
  });

  it('answers INSUFFICIENT without running the work or writing anything', async () => {
    const userId = await userWith(4);
    const before = await ledgerRowCounts(userId);
    const { runs, work } = countingWork('never');

    const result = await chargeCredits(charge(userId, 'ai:too-poor'), work);

    expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: 4 });
    expect(runs).toHaveLength(0);
    expect(await ledgerRowCounts(userId)).toEqual(before);
  });

  it('never reaches the provider at a zero balance, even for a user with no credits row yet', async () => {
    const userId = await userWith(0);
    const { runs, work } = countingWork('never');

    const result = await chargeCredits(charge(userId, 'ai:zero', 1), work);

    expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: 0 });
    expect(runs).toHaveLength(0);
    expect(await logOf(userId)).toEqual([]);
  });

  it('refunds the whole charge when the work throws, linked to the consume', async () => {
    const userId = await userWith(20);
    const failure = new Error('provider is down');

    const result = await chargeCredits(charge(userId, 'ai:throws', 7), async () => {
      throw failure;
    });

    expect(result).toEqual({ ok: false, reason: 'FAILED', error: failure, refunded: 7, balance: 20 });
    const [consume, refund] = await logOf(userId);
    expect(consume).toMatchObject({ type: 'CONSUME', amount: -7 });
    expect(refund).toMatchObject({
      type: 'REFUND',
      amount: 7,
      source_type: 'failed_call',
      related_transaction_id: consume?.id,
    });
    const [keys] = await getSql()<{ key: string }[]>`
      SELECT idempotency_key AS key FROM credit_transaction WHERE id = ${refund?.id ?? 0}`;
    expect(keys?.key).toBe('ai:throws:refund');
    expect(await balanceOf(userId)).toBe(20);
    await expectLedgerConsistent();
  });

  it('refunds a rejected promise and a thrown non-Error alike', async () => {
    const userId = await userWith(10);
    const rejected = await chargeCredits(charge(userId, 'ai:rejects'), () => Promise.reject('timeout'));
    expect(rejected).toMatchObject({
      ok: false,
      reason: 'FAILED',
      error: 'timeout',
      refunded: 5,
      balance: 10,
    });
    expect(await balanceOf(userId)).toBe(10);
    await expectLedgerConsistent();
  });

  it('does not run the work again for a repeated key, and does not charge again', async () => {
    const userId = await userWith(20);
    const { runs, work } = countingWork('first');

    const first = await chargeCredits(charge(userId, 'ai:twice'), work);
    const second = await chargeCredits(charge(userId, 'ai:twice'), work);

    expect(first.ok).toBe(true);
    expect(second).toEqual({
      ok: false,
      reason: 'ALREADY_PROCESSED',
      transactionId: first.ok ? first.transactionId : -1,
    });
    expect(runs).toHaveLength(1);
    expect(await balanceOf(userId)).toBe(15);
  });

  it('does not replay a failed and refunded request for free', async () => {
    const userId = await userWith(20);
    const { runs, work } = countingWork('free lunch');
    await chargeCredits(charge(userId, 'ai:failed-once'), async () => {
      throw new Error('boom');
    });

    const retry = await chargeCredits(charge(userId, 'ai:failed-once'), work);

    expect(retry).toMatchObject({ ok: false, reason: 'ALREADY_PROCESSED' });
    expect(runs).toHaveLength(0);
    expect(await logOf(userId)).toMatchObject([{ type: 'CONSUME' }, { type: 'REFUND' }]);
    expect(await balanceOf(userId)).toBe(20);
  });

  it('charges once and runs the work once for 20 concurrent calls with one key', async () => {
    const userId = await userWith(100);
    const { runs, work } = countingWork('once');

    const results = await Promise.all(
      Array.from({ length: 20 }, () => chargeCredits(charge(userId, 'ai:stampede'), work)),
    );

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.reason === 'ALREADY_PROCESSED')).toHaveLength(19);
    expect(runs).toHaveLength(1);
    expect(await logOf(userId)).toHaveLength(1);
    expect(await balanceOf(userId)).toBe(95);
    await expectLedgerConsistent();
  });

  it('answers CONFLICT for the same key with a different amount, without running the work', async () => {
    const userId = await userWith(20);
    const first = await chargeCredits(charge(userId, 'ai:conflict', 5), async () => 'ok');
    const { runs, work } = countingWork('never');

    const second = await chargeCredits(charge(userId, 'ai:conflict', 6), work);

    expect(second).toEqual({
      ok: false,
      reason: 'CONFLICT',
      transactionId: first.ok ? first.transactionId : -1,
    });
    expect(runs).toHaveLength(0);
    expect(await balanceOf(userId)).toBe(15);
  });

  it('accepts a 180-character key, whose refund key still fits the ledger', async () => {
    const userId = await userWith(10);
    const key = `ai:${'k'.repeat(177)}`;
    expect(key).toHaveLength(180);

    const result = await chargeCredits(charge(userId, key), async () => {
      throw new Error('fails, so the derived key is written');
    });

    expect(result).toMatchObject({ ok: false, reason: 'FAILED', refunded: 5, balance: 10 });
    const [row] = await getSql()<{ key: string }[]>`
      SELECT idempotency_key AS key FROM credit_transaction WHERE user_id = ${userId} AND type = 'REFUND'`;
    expect(row?.key).toBe(`${key}:refund`);
  });

  it.each([
    ['a 181-character key', { idempotencyKey: 'k'.repeat(181) }],
    ['an empty key', { idempotencyKey: '' }],
    ['a key with spaces', { idempotencyKey: 'ai: spaced' }],
    ['a missing key', { idempotencyKey: undefined }],
    ['a zero amount', { amount: 0 }],
    ['a fractional amount', { amount: 1.5 }],
  ])('rejects %s with INVALID_INPUT before any write or work', async (_name, override) => {
    const userId = await userWith(10);
    const before = await ledgerRowCounts(userId);
    const { runs, work } = countingWork('never');
    const input = { ...charge(userId, 'ai:valid'), ...override } as Parameters<typeof chargeCredits>[0];

    const error = await chargeCredits(input, work).catch((caught: unknown) => caught);

    expect(isCreditsError(error, 'INVALID_INPUT')).toBe(true);
    expect(runs).toHaveLength(0);
    expect(await ledgerRowCounts(userId)).toEqual(before);
  });

  it('rejects a grant source type as UNKNOWN_SOURCE_TYPE', async () => {
    const userId = await userWith(10);
    const input = { ...charge(userId, 'ai:source'), sourceType: 'register_gift' } as unknown as Parameters<
      typeof chargeCredits
    >[0];
    const error = await chargeCredits(input, async () => 'never').catch((caught: unknown) => caught);
    expect(isCreditsError(error, 'UNKNOWN_SOURCE_TYPE')).toBe(true);
  });

  it('throws, and logs, when the refund cannot be written: a ledger failure is never swallowed', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const userId = await userWith(20);
    // App code that wrongly spends under the derived refund key makes the refund a conflicting reuse.
    const result = chargeCredits(charge(userId, 'ai:taken'), async () => {
      await consumeCredits({ userId, amount: 1, sourceType: 'manual', idempotencyKey: 'ai:taken:refund' });
      throw new Error('provider is down');
    });

    const error = await result.catch((caught: unknown) => caught);

    expect(isCreditsError(error, 'LEDGER_INVARIANT')).toBe(true);
    expect(String(error)).toMatch(/CONFLICT/);
    expect(logged).toHaveBeenCalled();
    expect(await balanceOf(userId)).toBe(14);
    await expectLedgerConsistent();
  });

  it('answers FAILED with nothing more refunded when the consume was reversed by hand while the work ran', async () => {
    const userId = await userWith(20);
    const result = await chargeCredits(charge(userId, 'ai:reversed'), async ({ transactionId }) => {
      await refundCredits({ userId, transactionId, sourceType: 'manual_reversal' });
      throw new Error('provider is down');
    });

    expect(result).toMatchObject({ ok: false, reason: 'FAILED', refunded: 0, balance: 20 });
    expect(await logOf(userId)).toMatchObject([
      { type: 'CONSUME', amount: -5 },
      { type: 'REFUND', amount: 5, source_type: 'manual_reversal' },
    ]);
    expect(await balanceOf(userId)).toBe(20);
    await expectLedgerConsistent();
  });

  it('refuses a charge key ending in ":refund", which would take another charge’s refund key', async () => {
    const userId = await userWith(20);
    const work = vi.fn(async () => 'never');
    const error = await chargeCredits(charge(userId, 'ai:x:refund'), work).catch((caught: unknown) => caught);
    expect(isCreditsError(error, 'INVALID_INPUT')).toBe(true);
    expect(work).not.toHaveBeenCalled();
    expect(await balanceOf(userId)).toBe(20);
  });
});
