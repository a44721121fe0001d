import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { addCredits, consumeCredits } from '@/credits/server';
import { verifyLedger } from '@/credits/verify';
import { getSql } from '@/db';
import { createPayment, createUser, ledgerRowCounts } from '../factories';

/**
 * The database defends the ledger on its own, whoever connects: these statements bypass the module and
 * must still be refused. Each is expected to fail with a specific SQLSTATE or constraint.
 */

async function seeded(): Promise<{ userId: string; grantId: number; consumeId: number }> {
  const userId = await createUser();
  const grant = await addCredits({ userId, amount: 10, sourceType: 'manual' });
  const consume = await consumeCredits({ userId, amount: 4, sourceType: 'ai_call' });
  if (!grant.ok || !consume.ok) throw new Error('setup failed');
  return { userId, grantId: grant.transactionId, consumeId: consume.transactionId };
}

async function rejection(statement: Promise<unknown>): Promise<{ code?: string; constraint_name?: string }> {
  try {
    await statement;
  } catch (error) {
    if (error instanceof postgres.PostgresError)
      return { code: error.code, constraint_name: error.constraint_name };
    throw error;
  }
  throw new Error('the statement was accepted');
}

describe('the log is append-only', () => {
  it('rejects UPDATE, DELETE and TRUNCATE on credit_transaction', async () => {
    const sql = getSql();
    const { userId } = await seeded();
    const before = await ledgerRowCounts();

    expect(
      await rejection(sql`UPDATE credit_transaction SET amount = 1000 WHERE user_id = ${userId}`),
    ).toMatchObject({
      code: 'CR001',
    });
    expect(await rejection(sql`DELETE FROM credit_transaction WHERE user_id = ${userId}`)).toMatchObject({
      code: 'CR001',
    });
    expect(await rejection(sql`TRUNCATE credit_transaction CASCADE`)).toMatchObject({ code: 'CR001' });
    expect(await ledgerRowCounts()).toEqual(before);
  });

  it('rejects UPDATE, DELETE and TRUNCATE on credit_allocation', async () => {
    const sql = getSql();
    await seeded();
    expect(await rejection(sql`UPDATE credit_allocation SET amount = amount + 1`)).toMatchObject({
      code: 'CR001',
    });
    expect(await rejection(sql`DELETE FROM credit_allocation`)).toMatchObject({ code: 'CR001' });
    expect(await rejection(sql`TRUNCATE credit_allocation`)).toMatchObject({ code: 'CR001' });
  });
});

describe('CHECK constraints and keys', () => {
  it('refuses a negative balance', async () => {
    const { userId } = await seeded();
    const outcome = await rejection(
      getSql()`UPDATE user_credit SET current_credits = -1, lifetime_consumed = lifetime_consumed + 7
        WHERE user_id = ${userId}`,
    );
    expect(outcome.constraint_name).toBe('user_credit_current_non_negative');
  });

  it('refuses a balance that does not equal its lifetime totals', async () => {
    const { userId } = await seeded();
    const outcome = await rejection(
      getSql()`UPDATE user_credit SET current_credits = 100 WHERE user_id = ${userId}`,
    );
    expect(outcome.constraint_name).toBe('user_credit_totals_add_up');
  });

  it('refuses a lot with a negative remainder or more than it was granted', async () => {
    const { userId } = await seeded();
    expect(
      (await rejection(getSql()`UPDATE credit_lot SET remaining = -1 WHERE user_id = ${userId}`))
        .constraint_name,
    ).toBe('credit_lot_remaining_in_range');
    expect(
      (await rejection(getSql()`UPDATE credit_lot SET remaining = amount + 1 WHERE user_id = ${userId}`))
        .constraint_name,
    ).toBe('credit_lot_remaining_in_range');
  });

  it.each([
    ['a positive CONSUME', 'CONSUME', 5, 'credit_transaction_amount_sign'],
    ['a negative GRANT', 'GRANT', -5, 'credit_transaction_amount_sign'],
    ['a zero EXPIRE', 'EXPIRE', 0, 'credit_transaction_amount_sign'],
    ['an amount beyond the bound', 'GRANT', 2_000_000_000, 'credit_transaction_amount_bound'],
  ])('refuses %s', async (_name, type, amount, constraint) => {
    const { userId } = await seeded();
    const outcome = await rejection(
      getSql()`INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type)
        VALUES (${userId}, ${type}, ${amount}, 0, 'manual')`,
    );
    expect(outcome.constraint_name).toBe(constraint);
  });

  it('refuses a fifth transaction type', async () => {
    const { userId } = await seeded();
    const outcome = await rejection(
      getSql()`INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type)
        VALUES (${userId}, 'BONUS', 5, 5, 'manual')`,
    );
    expect(outcome.code).toBe('22P02'); // invalid input value for enum credit_transaction_type
  });

  it('refuses a second GRANT for one payment, and a REFUND without its consume', async () => {
    const { userId } = await seeded();
    const paymentId = await createPayment({ userId });
    await addCredits({ userId, amount: 100, sourceType: 'credit_pack', paymentId });
    expect(
      await rejection(
        getSql()`INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type, payment_id)
          VALUES (${userId}, 'GRANT', 100, 206, 'credit_pack', ${paymentId})`,
      ),
    ).toMatchObject({ code: '23505', constraint_name: 'credit_transaction_payment_grant_uq' });
    expect(
      (
        await rejection(
          getSql()`INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type)
            VALUES (${userId}, 'REFUND', 1, 1, 'failed_call')`,
        )
      ).constraint_name,
    ).toBe('credit_transaction_refund_has_consume');
  });

  it('refuses ledger rows for a user who does not exist', async () => {
    const outcome = await rejection(getSql()`INSERT INTO user_credit (user_id) VALUES ('no_such_user')`);
    expect(outcome).toMatchObject({ code: '23503', constraint_name: 'user_credit_user_id_user_id_fk' });
  });
});

describe('reconciliation', () => {
  it('finds nothing wrong in a ledger written by the primitives', async () => {
    await seeded();
    expect(await verifyLedger(getSql())).toEqual([]);
  });

  it('names the user and the invariant when a row is changed behind the module’s back', async () => {
    const { userId } = await seeded();
    const sql = getSql();
    // Tampering as a superuser would: disable the triggers, edit the log, re-enable them.
    await sql.begin(async (tx) => {
      await tx`ALTER TABLE credit_transaction DISABLE TRIGGER credit_transaction_append_only`;
      await tx`UPDATE credit_transaction SET amount = -3 WHERE user_id = ${userId} AND type = 'CONSUME'`;
      await tx`ALTER TABLE credit_transaction ENABLE TRIGGER credit_transaction_append_only`;
    });

    const violations = await verifyLedger(sql);
    expect(violations.map((violation) => violation.invariant)).toEqual(
      expect.arrayContaining([
        '1. balance equals the sum of the log',
        '1. each balance_after is the running sum of the log',
      ]),
    );
    expect(violations.every((violation) => violation.userId === userId)).toBe(true);
  });
});
