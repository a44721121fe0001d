import 'server-only';
import type { Sql, TransactionSql } from 'postgres';
import { getSql, withinDeadline } from '@/db';
import { CreditsError, toCreditsError } from './errors';
import {
  type AddCreditsInput,
  addCreditsInput,
  type ClawbackCreditsInput,
  type ConsumeCreditsInput,
  clawbackCreditsInput,
  consumeCreditsInput,
  expireDueCreditsInput,
  ledgerOptionsInput,
  parseInput,
  type RefundCreditsInput,
  refundCreditsInput,
} from './inputs';

/**
 * The only writer of the ledger tables. Each primitive is one call to a SQL function from
 * drizzle/0001_ledger_functions.sql, so the balance update, the log row, the lots and the allocations
 * commit together or not at all, in one round trip. Inputs are validated before anything is sent.
 */

export interface LedgerOptions {
  /** Run inside a caller's transaction (e.g. the one that inserted the payment row). */
  sql?: Sql | TransactionSql;
  /** The ledger's clock. Defaults to the database's `now()`; tests move it instead of sleeping. */
  now?: Date;
}

export type AddCreditsResult =
  | { ok: true; transactionId: number; balance: number; replayed: boolean }
  | { ok: false; reason: 'CONFLICT'; transactionId: number }
  /** The payment already granted its credits (under another idempotency key). */
  | { ok: false; reason: 'DUPLICATE'; transactionId: number };

export type ConsumeCreditsResult =
  | { ok: true; transactionId: number; balance: number; replayed: boolean }
  | { ok: false; reason: 'INSUFFICIENT'; balance: number }
  | { ok: false; reason: 'CONFLICT'; transactionId: number };

export type RefundCreditsResult =
  | {
      ok: true;
      transactionId: number;
      amount: number;
      /** The balance after the refund and after any refunded credits that expired at once. */
      balance: number;
      /** Refunded credits whose lot had expired meanwhile, expired at once with an EXPIRE row. */
      expiredAmount: number;
      replayed: boolean;
    }
  | { ok: false; reason: 'EXCEEDS_REFUNDABLE'; refundableAmount: number }
  | { ok: false; reason: 'CONFLICT'; transactionId: number };

interface FunctionRow {
  r_status: 'ok' | 'replayed' | 'conflict' | 'duplicate' | 'insufficient' | 'exceeds_refundable' | 'nothing';
  r_transaction_id: string | null;
  r_balance: string | null;
}

/**
 * Grants credits: raises the balance, appends a GRANT row and opens a lot holding the grant's unspent
 * remainder (expiring at `expirationDate`, or never). Idempotent by `idempotencyKey`; a payment grants
 * at most once whatever the key.
 */
export async function addCredits(
  input: AddCreditsInput,
  options: LedgerOptions = {},
): Promise<AddCreditsResult> {
  const args = parseInput(addCreditsInput, input);
  const { sql, now } = ledgerOptions(options);
  const row = await call(
    sql<FunctionRow[]>`SELECT r_status, r_transaction_id, r_balance FROM credits_grant(
      ${args.userId}, ${args.amount}::integer, ${args.sourceType}, ${iso(args.expirationDate)}::timestamptz,
      ${args.paymentId ?? null}::bigint, ${args.description ?? null}, ${args.idempotencyKey ?? null},
      ${json(args.metadata)}::jsonb, ${iso(now)}::timestamptz)`,
  );
  const transactionId = toCount(row.r_transaction_id);
  switch (row.r_status) {
    case 'ok':
    case 'replayed':
      return {
        ok: true,
        transactionId,
        balance: toCount(row.r_balance),
        replayed: row.r_status === 'replayed',
      };
    case 'conflict':
      return { ok: false, reason: 'CONFLICT', transactionId };
    case 'duplicate':
      return { ok: false, reason: 'DUPLICATE', transactionId };
    default:
      throw unexpected('credits_grant', row.r_status);
  }
}

/**
 * Spends credits, soonest-expiring lots first and never-expiring lots last. Answers
 * `{ ok: false, reason: 'INSUFFICIENT' }` (and writes nothing) when the balance does not cover `amount`.
 * Lots already expired at `now` are expired first, so expired credits are never spent.
 */
export async function consumeCredits(
  input: ConsumeCreditsInput,
  options: LedgerOptions = {},
): Promise<ConsumeCreditsResult> {
  const args = parseInput(consumeCreditsInput, input);
  const { sql, now } = ledgerOptions(options);
  const row = await call(
    sql<FunctionRow[]>`SELECT r_status, r_transaction_id, r_balance FROM credits_consume(
      ${args.userId}, ${args.amount}::integer, ${args.sourceType}, ${args.description ?? null},
      ${args.idempotencyKey ?? null}, ${json(args.metadata)}::jsonb, ${iso(now)}::timestamptz)`,
  );
  switch (row.r_status) {
    case 'ok':
    case 'replayed':
      return {
        ok: true,
        transactionId: toCount(row.r_transaction_id),
        balance: toCount(row.r_balance),
        replayed: row.r_status === 'replayed',
      };
    case 'insufficient':
      return { ok: false, reason: 'INSUFFICIENT', balance: toCount(row.r_balance) };
    case 'conflict':
      return { ok: false, reason: 'CONFLICT', transactionId: toCount(row.r_transaction_id) };
    default:
      throw unexpected('credits_consume', row.r_status);
  }
}

interface RefundRow extends FunctionRow {
  r_amount: number | null;
  r_expired: string | null;
}

/**
 * Gives back credits taken by one CONSUME (`transactionId`), by default all that it took and has not
 * been refunded yet. Over all its refunds, a consume never gives back more than it took. Credits go back
 * to the lots they came from, latest-expiring first; those whose lot has expired meanwhile expire at once.
 */
export async function refundCredits(
  input: RefundCreditsInput,
  options: LedgerOptions = {},
): Promise<RefundCreditsResult> {
  const args = parseInput(refundCreditsInput, input);
  const { sql, now } = ledgerOptions(options);
  const row = await call(
    sql<RefundRow[]>`SELECT r_status, r_transaction_id, r_balance, r_amount, r_expired FROM credits_refund(
      ${args.userId}, ${args.transactionId}::bigint, ${args.amount ?? null}::integer, ${args.sourceType},
      ${args.description ?? null}, ${args.idempotencyKey ?? null}, ${json(args.metadata)}::jsonb,
      ${iso(now)}::timestamptz)`,
  );
  switch (row.r_status) {
    case 'ok':
    case 'replayed':
      return {
        ok: true,
        transactionId: toCount(row.r_transaction_id),
        amount: toCount(row.r_amount),
        balance: toCount(row.r_balance),
        expiredAmount: toCount(row.r_expired),
        replayed: row.r_status === 'replayed',
      };
    case 'exceeds_refundable':
      return { ok: false, reason: 'EXCEEDS_REFUNDABLE', refundableAmount: toCount(row.r_amount) };
    case 'conflict':
      return { ok: false, reason: 'CONFLICT', transactionId: toCount(row.r_transaction_id) };
    default:
      throw unexpected('credits_refund', row.r_status);
  }
}

export type ClawbackCreditsResult = {
  /** The CONSUME row, or null when the user had nothing left to take. */
  transactionId: number | null;
  /** Credits taken back: at most `amount`, at most the balance. */
  taken: number;
  /** What could not be taken because it was spent already: `amount - taken`. */
  shortfall: number;
  balance: number;
  replayed: boolean;
};

/**
 * Takes back up to `amount` credits that a refunded or disputed payment bought, never more than the user
 * has (a balance never goes negative), drawing on that payment's own grant first, then in burn order.
 * Writes one CONSUME row carrying the payment's id, or nothing when the balance is zero. The part that
 * could not be taken is answered as `shortfall` for the payment's records. Idempotent by key.
 */
export async function clawbackCredits(
  input: ClawbackCreditsInput,
  options: LedgerOptions = {},
): Promise<ClawbackCreditsResult> {
  const args = parseInput(clawbackCreditsInput, input);
  const { sql, now } = ledgerOptions(options);
  const row = await call(
    sql<(FunctionRow & { r_amount: number })[]>`SELECT r_status, r_transaction_id, r_balance, r_amount
    FROM credits_clawback(
      ${args.userId}, ${args.amount}::integer, ${args.paymentId}::bigint, ${args.sourceType},
      ${args.description ?? null}, ${args.idempotencyKey ?? null}, ${json(args.metadata)}::jsonb,
      ${iso(now)}::timestamptz)`,
  );
  switch (row.r_status) {
    case 'ok':
    case 'replayed':
    case 'nothing': {
      const taken = toCount(row.r_amount);
      return {
        transactionId: row.r_transaction_id === null ? null : toCount(row.r_transaction_id),
        taken,
        shortfall: args.amount - taken,
        balance: toCount(row.r_balance),
        replayed: row.r_status === 'replayed',
      };
    }
    case 'conflict':
      throw new CreditsError(
        'INVALID_INPUT',
        `idempotency key ${args.idempotencyKey} was used for a different clawback (transaction ${row.r_transaction_id})`,
      );
    default:
      throw unexpected('credits_clawback', row.r_status);
  }
}

export interface ExpireDueCreditsOptions {
  now?: Date;
  /** Users locked per batch (one transaction each). */
  batchSize: number;
  /** Stop starting new batches after this long, leaving the rest for the next run. */
  timeBudgetMs: number;
}

export interface ExpireDueCreditsResult {
  /** Lots expired (one EXPIRE row each). */
  expired: number;
  /** Credits removed by those rows. */
  credits: number;
  batches: number;
  /** Lots are still due: the budget ran out, or their users were busy. The next run continues. */
  more: boolean;
}

/**
 * Expires the unspent remainder of every lot due at `now`, in batches of users locked in id order with
 * SKIP LOCKED, so concurrent runners share the work without blocking each other or spenders. Idempotent:
 * a lot is expired once, however many runs overlap.
 */
export async function expireDueCredits(options: ExpireDueCreditsOptions): Promise<ExpireDueCreditsResult> {
  const { now, batchSize, timeBudgetMs } = parseInput(expireDueCreditsInput, options);
  const startedAt = Date.now();
  const result: ExpireDueCreditsResult = { expired: 0, credits: 0, batches: 0, more: true };
  while (result.more && Date.now() - startedAt < timeBudgetMs) {
    const row = await call(
      getSql()<{ r_users: number; r_lots: number; r_credits: string; r_more: boolean }[]>`
        SELECT r_users, r_lots, r_credits, r_more
        FROM credits_expire_due(coalesce(${iso(now)}::timestamptz, now()), ${batchSize}::integer)`,
    );
    result.batches += 1;
    result.expired += row.r_lots;
    result.credits += toCount(row.r_credits);
    result.more = row.r_more;
    // Every due user was locked by someone else: they will be done by their holder or the next run.
    if (row.r_users === 0) break;
  }
  return result;
}

/** The options every primitive takes, validated: the caller's transaction or the pool, and the clock. */
function ledgerOptions(options: LedgerOptions): { sql: Sql | TransactionSql; now: Date | undefined } {
  const parsed = parseInput(ledgerOptionsInput, options) ?? {};
  return { sql: parsed.sql ?? getSql(), now: parsed.now };
}

async function call<T>(query: Promise<T[]>): Promise<T> {
  let rows: T[];
  try {
    rows = await withinDeadline(query);
  } catch (error) {
    throw toCreditsError(error);
  }
  const [row] = rows;
  if (!row) throw new CreditsError('LEDGER_INVARIANT', 'a ledger function returned no row');
  return row;
}

/** Dates travel as ISO strings: the driver binds these parameters as text before the cast. */
function iso(value: Date | undefined): string | null {
  return value === undefined ? null : value.toISOString();
}

function json(value: Record<string, unknown> | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Database bigints arrive as strings; every ledger figure must be a safe integer. */
function toCount(value: string | number | null): number {
  const count = Number(value);
  if (value === null || !Number.isSafeInteger(count)) {
    throw new CreditsError('LEDGER_INVARIANT', `expected an integer from the ledger, got ${String(value)}`);
  }
  return count;
}

function unexpected(fn: string, status: string): CreditsError {
  return new CreditsError('LEDGER_INVARIANT', `${fn} answered an unexpected status: ${status}`);
}
