import type { Sql, TransactionSql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCredits,
  clawbackCredits,
  consumeCredits,
  expireDueCredits,
  refundCredits,
} from '@/credits/server';
import { getSql } from '@/db';
import {
  balanceOf,
  concurrentPool,
  createPayment,
  createUser,
  expectLedgerConsistent,
  recordRefundAdjustment,
  toDate,
  untilWaitingForLock,
} from '../factories';

/**
 * Deterministic interleavings found by the torture run (issue #10). A grant is held open in one
 * transaction while a spend (or a refund, or a clawback) on another connection waits for the same user's
 * row lock; the grant then commits a lot that is already due at the waiting call's clock. The waiting
 * call must not draw on it: it expires it first, whatever its first statement saw before the wait.
 */
const T0 = new Date('2026-11-01T13:05:14.000Z');
const DUE = new Date('2026-11-01T13:05:14.175Z');
const LATER = new Date('2026-11-01T13:05:14.179Z');
const BUDGET = { batchSize: 100, timeBudgetMs: 60_000 };

let holder: Sql;
let waiter: Sql;

beforeAll(() => {
  holder = concurrentPool(1);
  waiter = concurrentPool(1);
});

afterAll(async () => {
  await Promise.all([holder.end(), waiter.end()]);
});

/**
 * Runs `call` on its own connection while a transaction on another one holds the user's row lock after
 * granting `amount` credits that expire at DUE (granted at T0, so the grant itself is valid), and after
 * spending `spentFirst` credits at T0 when asked to.
 */
async function whileGrantHeldOpen<T>(
  userId: string,
  amount: number,
  call: (sql: Sql) => Promise<T>,
  spentFirst = 0,
): Promise<T> {
  let commit = () => {};
  const committed = new Promise<void>((resolve) => {
    commit = resolve;
  });
  let granted = () => {};
  const holding = new Promise<void>((resolve) => {
    granted = resolve;
  });
  const transaction = holder.begin(async (tx: TransactionSql) => {
    if (spentFirst > 0) {
      await consumeCredits({ userId, amount: spentFirst, sourceType: 'ai_call' }, { sql: tx, now: T0 });
    }
    await addCredits(
      { userId, amount, sourceType: 'register_gift', expirationDate: DUE },
      { sql: tx, now: T0 },
    );
    granted();
    await committed;
  });
  await holding;
  const result = call(waiter);
  try {
    await untilWaitingForLock();
  } finally {
    // Commit even when the call never waited, so a failing test cannot leave the lock held.
    commit();
    await transaction;
  }
  return result;
}

async function expireRows(userId: string) {
  return getSql()<{ amount: number; source_type: string }[]>`
    SELECT amount, source_type FROM credit_transaction WHERE user_id = ${userId} AND type = 'EXPIRE' ORDER BY id`;
}

describe('a lot that a grant brings while a call waits for the lock, already due at that call', () => {
  it.each([
    ['an unkeyed spend', undefined],
    ['a keyed spend', 'spend:waiting'],
  ])('is expired, never spent, by %s', async (_, idempotencyKey) => {
    const userId = await createUser();
    await addCredits({ userId, amount: 20, sourceType: 'manual' }, { now: T0 });

    // The spend of 15 fits the 20 it sees before the wait; the held transaction spends 10 of them and
    // brings 67 credits due at the spend's time.
    const result = await whileGrantHeldOpen(
      userId,
      67,
      (sql) =>
        consumeCredits({ userId, amount: 15, sourceType: 'ai_call', idempotencyKey }, { sql, now: LATER }),
      10,
    );

    // Only the 10 that never expire could be spent: not enough.
    expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: 10 });
    expect(await expireRows(userId)).toEqual([{ amount: -67, source_type: 'expiration_inline' }]);
    expect(await balanceOf(userId)).toBe(10);
    await expectLedgerConsistent();
  });

  it('lets a spend that fits go through from the credits that are still valid', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: T0 });

    const result = await whileGrantHeldOpen(userId, 67, (sql) =>
      consumeCredits({ userId, amount: 2, sourceType: 'ai_call' }, { sql, now: LATER }),
    );

    expect(result).toMatchObject({ ok: true, balance: 8 });
    const drawn = await getSql()<{ lot_expires_at: string | null; amount: number }[]>`
      SELECT l.expires_at AS lot_expires_at, a.amount FROM credit_allocation a
      JOIN credit_lot l ON l.id = a.lot_id JOIN credit_transaction t ON t.id = a.transaction_id
      WHERE t.user_id = ${userId} AND t.type = 'CONSUME'`;
    expect(drawn).toEqual([{ lot_expires_at: null, amount: 2 }]);
    expect(await expireRows(userId)).toEqual([{ amount: -67, source_type: 'expiration_inline' }]);
    await expectLedgerConsistent();
  });

  it('is expired before a refund answers, so the refund reports what can really be spent', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' }, { now: T0 });
    const spend = await consumeCredits({ userId, amount: 4, sourceType: 'ai_call' }, { now: T0 });
    if (!spend.ok) throw new Error('setup spend failed');

    const result = await whileGrantHeldOpen(userId, 67, (sql) =>
      refundCredits(
        { userId, transactionId: spend.transactionId, sourceType: 'failed_call' },
        { sql, now: LATER },
      ),
    );

    expect(result).toMatchObject({ ok: true, amount: 4, balance: 10, expiredAmount: 0 });
    expect(await expireRows(userId)).toEqual([{ amount: -67, source_type: 'expiration_inline' }]);
    await expectLedgerConsistent();
  });

  it('is expired before a clawback takes anything, so it is not counted as taken back', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({ userId, credits: 10 });
    await addCredits({ userId, amount: 10, sourceType: 'credit_pack', paymentId }, { now: T0 });
    expect(await consumeCredits({ userId, amount: 4, sourceType: 'ai_call' }, { now: T0 })).toMatchObject({
      ok: true,
    });

    const result = await whileGrantHeldOpen(userId, 67, (sql) =>
      clawbackCredits({ userId, amount: 10, paymentId, sourceType: 'payment_refunded' }, { sql, now: LATER }),
    );

    // Only the 6 the payment still has can be taken back; the 67 that were due are not.
    expect(result).toMatchObject({ taken: 6, shortfall: 4, balance: 0 });
    await recordRefundAdjustment({
      paymentId,
      creditsRequested: 10,
      creditsTaken: result.taken,
      clawbackTransactionId: result.transactionId,
    });
    expect(await expireRows(userId)).toEqual([{ amount: -67, source_type: 'expiration_inline' }]);
    await expectLedgerConsistent();
  });
});

describe("a call whose clock is earlier than the user's latest change", () => {
  it('is applied at the time of that change, so a refund cannot refill a lot that already expired', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 50, sourceType: 'register_gift', expirationDate: DUE }, { now: T0 });
    const spend = await consumeCredits({ userId, amount: 20, sourceType: 'ai_call' }, { now: T0 });
    if (!spend.ok) throw new Error('setup spend failed');
    const afterDue = new Date(DUE.getTime() + 1);
    expect(await expireDueCredits({ now: afterDue, ...BUDGET })).toMatchObject({ expired: 1, credits: 30 });

    // The refund's clock is before the expiry it follows: it is applied at the user's clock instead.
    const refund = await refundCredits(
      { userId, transactionId: spend.transactionId, sourceType: 'failed_call' },
      { now: new Date(T0.getTime() + 1) },
    );
    expect(refund).toMatchObject({ ok: true, amount: 20, balance: 0, expiredAmount: 20 });
    // A later run of the cron finds nothing to expire a second time.
    expect(await expireDueCredits({ now: new Date(DUE.getTime() + 5), ...BUDGET })).toMatchObject({
      expired: 0,
    });

    const history = await getSql()<{ type: string; source_type: string; created_at: string }[]>`
      SELECT type, source_type, created_at FROM credit_transaction WHERE user_id = ${userId} ORDER BY id`;
    expect(history.map((row) => [row.type, row.source_type, toDate(row.created_at)?.toISOString()])).toEqual([
      ['GRANT', 'register_gift', T0.toISOString()],
      ['CONSUME', 'ai_call', T0.toISOString()],
      ['EXPIRE', 'expiration_cron', afterDue.toISOString()],
      ['REFUND', 'failed_call', afterDue.toISOString()],
      ['EXPIRE', 'expired_on_refund', afterDue.toISOString()],
    ]);
    await expectLedgerConsistent();
  });

  it('refuses a grant whose expiry is already past by the user\u2019s clock, writing nothing', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 5, sourceType: 'manual' }, { now: LATER });
    await expect(
      addCredits({ userId, amount: 5, sourceType: 'manual', expirationDate: DUE }, { now: T0 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await balanceOf(userId)).toBe(5);
    await expectLedgerConsistent();
  });
});
