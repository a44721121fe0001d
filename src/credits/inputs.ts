import type { Sql, TransactionSql } from 'postgres';
import { z } from 'zod';
import { CreditsError } from './errors';
import { copyJsonObject, type JsonObject } from './json-input';
import { clawbackSourceTypes, consumeSourceTypes, grantSourceTypes, refundSourceTypes } from './source-types';

/**
 * The one set of input schemas of the credits module. Every public entry point (primitives, helpers,
 * batch jobs, reads) parses its arguments with these before anything reaches the database, so bad input
 * is always a CreditsError INVALID_INPUT naming the field, and never a driver or PostgreSQL error.
 */

/** The largest amount one transaction may move (also a CHECK in the database). */
export const MAX_CREDIT_AMOUNT = 1_000_000_000;
/** Idempotency keys are printable ASCII without spaces, e.g. `stripe:cs_123` or `ai:req_42`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** Metadata: the UTF-8 bytes of its JSON text, nesting levels, and object keys plus array items in all. */
export const METADATA_LIMITS = Object.freeze({ maxBytes: 4_096, maxDepth: 16, maxEntries: 256 });
/**
 * Every date the module takes (an expiry, a period end, the ledger clock `now`, a read's `now`) lies in
 * this range, bounds included. PostgreSQL has no year 0, and Date.toISOString writes years past 9999 in
 * a form PostgreSQL cannot read (`+010000-01-01`); the range stops a day short of the year 10000 so that
 * the instant still has a four-digit year in every time zone a session may render it in.
 */
export const LEDGER_DATE_RANGE = Object.freeze({
  min: '1970-01-01T00:00:00.000Z',
  max: '9999-12-31T00:00:00.000Z',
});

/** NUL cannot be stored in text or jsonb; a lone surrogate has no UTF-8 form (text would store U+FFFD). */
const UNSTORABLE_TEXT = /[\0\p{Cs}]/u;
const STORABLE_TEXT_MESSAGE = 'must not contain a NUL character (U+0000) or an unpaired UTF-16 surrogate';

function isStorableText(value: string): boolean {
  return !UNSTORABLE_TEXT.test(value);
}

function storableText(maxLength: number) {
  return z.string().max(maxLength).refine(isStorableText, STORABLE_TEXT_MESSAGE);
}

/** At most `maxLength` UTF-16 code units, never ending on half a surrogate pair. */
export function truncateText(value: string, maxLength: number): string {
  const cut = value.slice(0, maxLength);
  return cut.length < value.length && /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export const userIdInput = storableText(200).min(1).describe('userId');
export const rowIdInput = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const amount = z.number().int().positive().max(MAX_CREDIT_AMOUNT);
const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-200 printable ASCII characters');
export const descriptionInput = storableText(500);

/** Plain JSON data within METADATA_LIMITS; the parsed value is a copy, so what was checked is what is stored. */
export const metadataInput = z.custom<JsonObject>().transform((value, ctx) => {
  const copy = copyJsonObject(value, {
    ...METADATA_LIMITS,
    isStorableText,
    storableTextMessage: STORABLE_TEXT_MESSAGE,
  });
  if (copy.ok) return copy.value;
  ctx.issues.push({ code: 'custom', message: copy.issue.message, path: copy.issue.path, input: value });
  return z.NEVER;
});

const DATE_MESSAGE = `must be a valid date from ${LEDGER_DATE_RANGE.min} to ${LEDGER_DATE_RANGE.max}`;

/** A Date in LEDGER_DATE_RANGE, copied with the native getter so that an object's own overrides do not count. */
export const ledgerDateInput = z
  .custom<Date>((value) => value instanceof Date && !Number.isNaN(nativeTime(value)), DATE_MESSAGE)
  .transform((date) => new Date(nativeTime(date)))
  .pipe(
    z
      .date(DATE_MESSAGE)
      .min(Date.parse(LEDGER_DATE_RANGE.min), DATE_MESSAGE)
      .max(Date.parse(LEDGER_DATE_RANGE.max), DATE_MESSAGE),
  );

function nativeTime(date: Date): number {
  try {
    return Date.prototype.getTime.call(date);
  } catch {
    return Number.NaN;
  }
}

/** The ledger's clock: absent means the database's `now()`. */
export const ledgerClockInput = ledgerDateInput.optional().describe('now');

/**
 * The options of a helper that grants (`{ sql?, now? }`), checked before the helper reads anything.
 * Other keys pass through untouched to the primitive, which owns the rest of LedgerOptions.
 */
export const ledgerOptionsInput = z
  .looseObject({
    sql: z
      .custom<Sql | TransactionSql>((value) => typeof value === 'function', 'must be a postgres client')
      .optional(),
    now: ledgerClockInput,
  })
  .optional()
  .describe('options');

export const expireDueCreditsInput = z
  .strictObject({
    now: ledgerClockInput,
    /** Users locked per batch (one transaction each). */
    batchSize: z.number().int().min(1).max(5_000),
    /** Stop starting new batches after this long (a cron function has a maximum duration). */
    timeBudgetMs: z.number().int().min(0).max(900_000),
  })
  .describe('options');

export const addCreditsInput = z.strictObject({
  userId: userIdInput,
  amount,
  sourceType: z.enum(grantSourceTypes),
  expirationDate: ledgerDateInput.optional(),
  paymentId: rowIdInput.optional(),
  description: descriptionInput.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadataInput.optional(),
});

export const consumeCreditsInput = z.strictObject({
  userId: userIdInput,
  amount,
  sourceType: z.enum(consumeSourceTypes),
  description: descriptionInput.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadataInput.optional(),
});

export const clawbackCreditsInput = z.strictObject({
  userId: userIdInput,
  /** The most to take back; less is taken when the user has less. */
  amount,
  /** The payment whose credits are taken back; its own grant is drawn first. */
  paymentId: rowIdInput,
  sourceType: z.enum(clawbackSourceTypes),
  description: descriptionInput.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadataInput.optional(),
});

export const refundCreditsInput = z.strictObject({
  userId: userIdInput,
  /** The CONSUME transaction being refunded. */
  transactionId: rowIdInput,
  /** Defaults to everything that consume took and has not been refunded yet. */
  amount: amount.optional(),
  sourceType: z.enum(refundSourceTypes),
  description: descriptionInput.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadataInput.optional(),
});

export type AddCreditsInput = z.input<typeof addCreditsInput>;
export type ConsumeCreditsInput = z.input<typeof consumeCreditsInput>;
export type RefundCreditsInput = z.input<typeof refundCreditsInput>;
export type ClawbackCreditsInput = z.input<typeof clawbackCreditsInput>;

/**
 * Parses untrusted input or throws a typed error before anything is written. A bad `sourceType` is
 * reported as UNKNOWN_SOURCE_TYPE so that a typo in app code is named plainly. An issue at the top level
 * is named by the schema's description (`userId`, `now`), so every message names the field.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const field = schema.description ?? 'input';
  let parsed: z.ZodSafeParseResult<z.output<T>>;
  try {
    parsed = schema.safeParse(input);
  } catch (error) {
    // A getter or proxy that throws while it is read: the input cannot be read, which is bad input.
    throw new CreditsError('INVALID_INPUT', `${field}: could not be read (${describeThrown(error)})`);
  }
  if (parsed.success) return parsed.data;
  const sourceIssue = parsed.error.issues.find((issue) => issue.path[0] === 'sourceType');
  if (sourceIssue) {
    throw new CreditsError('UNKNOWN_SOURCE_TYPE', `unknown source type: ${describeSourceType(input)}`);
  }
  const summary = parsed.error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.map(String).join('.') || field}: ${issue.message}`)
    .join('; ');
  throw new CreditsError('INVALID_INPUT', truncateText(summary, 1_000), parsed.error.issues);
}

function describeSourceType(input: unknown): string {
  try {
    const value = (input as { sourceType?: unknown }).sourceType;
    return typeof value === 'string' ? JSON.stringify(truncateText(value, 100)) : typeof value;
  } catch {
    return 'unreadable';
  }
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? truncateText(error.message, 200) : typeof error;
}
