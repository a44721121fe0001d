import { randomUUID } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { formatViolations, verifyLedger } from '@/credits/verify';
import { connectionOptions, getSql } from '@/db';
import type { Payment } from '@/db/schema';

/** Shared test factories. They write only non-ledger tables; ledger rows come from the primitives. */

export async function createUser(overrides: { id?: string; email?: string } = {}): Promise<string> {
  const id = overrides.id ?? `user_${randomUUID()}`;
  await getSql()`INSERT INTO "user" (id, name, email) VALUES (${id}, 'Test User', ${overrides.email ?? `${id}@example.test`})`;
  return id;
}

export async function createUsers(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => `user_${randomUUID()}`);
  await getSql()`INSERT INTO "user" ${getSql()(ids.map((id) => ({ id, name: 'Test User', email: `${id}@example.test` })))}`;
  return ids;
}

export async function createPayment(
  input: Partial<
    Pick<
      Payment,
      'provider' | 'type' | 'scene' | 'amountMinor' | 'currency' | 'status' | 'credits' | 'metadata'
    >
  > & {
    userId: string;
  },
): Promise<number> {
  const [row] = await getSql()<{ id: string }[]>`
    INSERT INTO payment (provider, provider_payment_id, user_id, type, scene, amount_minor, currency, status, credits, metadata)
    VALUES (${input.provider ?? 'stripe'}, ${`cs_test_${randomUUID()}`}, ${input.userId}, ${input.type ?? 'credit_pack'},
      ${input.scene ?? 'credits_starter'}, ${input.amountMinor ?? 500}, ${input.currency ?? 'USD'}, ${input.status ?? 'paid'},
      ${input.credits ?? 100}, ${input.metadata ? JSON.stringify(input.metadata) : null}::jsonb)
    RETURNING id`;
  return Number(row?.id);
}

/**
 * A refund of a payment as the payment module records it beside its clawback, for tests that call
 * clawbackCredits directly (reconciliation expects every clawback row to be recorded by an adjustment).
 */
export async function recordRefundAdjustment(input: {
  paymentId: number;
  creditsRequested: number;
  creditsTaken: number;
  clawbackTransactionId: number | null;
}): Promise<void> {
  await getSql()`
    INSERT INTO payment_adjustment (payment_id, kind, provider_reference, amount_minor, status, credits_requested,
      credits_taken, clawback_transaction_id)
    VALUES (${input.paymentId}, 'refund', ${`re_test_${randomUUID()}`}, 0, 'applied', ${input.creditsRequested},
      ${input.creditsTaken}, ${input.clawbackTransactionId})`;
}

/** A subscription as the provider last reported it (the billing page and the monthly credits read it). */
export async function createSubscription(input: {
  userId: string;
  plan?: 'pro_monthly' | 'pro_yearly';
  status?: string;
  currentPeriodEnd?: Date | null;
  cancelAtPeriodEnd?: boolean;
}): Promise<string> {
  const id = `sub_test_${randomUUID()}`;
  await getSql()`
    INSERT INTO subscription (provider, provider_subscription_id, user_id, plan, status, current_period_end,
      cancel_at_period_end, last_event_at)
    VALUES ('stripe', ${id}, ${input.userId}, ${input.plan ?? 'pro_monthly'}, ${input.status ?? 'active'},
      ${(input.currentPeriodEnd === undefined ? new Date(Date.now() + 30 * DAY_MS) : input.currentPeriodEnd)?.toISOString() ?? null}::timestamptz,
      ${input.cancelAtPeriodEnd ?? false}, now())`;
  return id;
}

/** The user's cached balance as the database holds it (0 before their first credit). */
export async function balanceOf(userId: string): Promise<number> {
  const [row] = await getSql()<{ current_credits: string }[]>`
    SELECT current_credits FROM user_credit WHERE user_id = ${userId}`;
  return Number(row?.current_credits ?? 0);
}

/** Counts of the ledger tables (of one user, or all), to assert that a rejected call wrote nothing. */
export async function ledgerRowCounts(userId?: string): Promise<Record<string, number>> {
  const sql = getSql();
  const mine = userId === undefined ? sql`TRUE` : sql`user_id = ${userId}`;
  const [row] = await sql<Record<string, string>[]>`
    SELECT (SELECT count(*) FROM user_credit WHERE ${mine}) AS user_credit,
           (SELECT count(*) FROM credit_transaction WHERE ${mine}) AS credit_transaction,
           (SELECT count(*) FROM credit_lot WHERE ${mine}) AS credit_lot,
           (SELECT count(*) FROM credit_allocation a JOIN credit_transaction t ON t.id = a.transaction_id
             WHERE ${userId === undefined ? sql`TRUE` : sql`t.user_id = ${userId}`}) AS credit_allocation,
           (SELECT coalesce(sum(current_credits), 0) FROM user_credit WHERE ${mine}) AS balances`;
  return Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]));
}

/**
 * Raw queries return timestamps as strings (Drizzle takes over the driver's date parsing), so tests
 * compare instants through this.
 */
export function toDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(String(value));
}

/** Fails the test with every broken invariant, named. */
export async function expectLedgerConsistent(): Promise<void> {
  const violations = await verifyLedger(getSql());
  if (violations.length > 0) throw new Error(`ledger invariants broken:\n${formatViolations(violations)}`);
}

/** A pool of its own for concurrency tests, so N calls really are N connections at once. */
export function concurrentPool(max: number): Sql {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set by the test setup');
  return postgres(url, { ...connectionOptions(), max });
}

/** Resolves once some backend of this database is waiting for a row lock (the call under test). */
export async function untilWaitingForLock(): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const [row] = await getSql()<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (Number(row?.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the call under test never waited for the row lock');
}

export const DAY_MS = 86_400_000;

export function daysAfter(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}
