import { z } from 'zod';
import { CreditsError } from './errors';
import { clawbackSourceTypes, consumeSourceTypes, grantSourceTypes, refundSourceTypes } from './source-types';

/** The largest amount one transaction may move (also a CHECK in the database). */
export const MAX_CREDIT_AMOUNT = 1_000_000_000;
/** Idempotency keys are printable ASCII without spaces, e.g. `stripe:cs_123` or `ai:req_42`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
const MAX_METADATA_BYTES = 4_096;

const userId = z.string().min(1).max(200);
const amount = z.number().int().positive().max(MAX_CREDIT_AMOUNT);
const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-200 printable ASCII characters');
const description = z.string().max(500);
const metadata = z
  .record(z.string(), z.json())
  .refine(
    (value) => JSON.stringify(value).length <= MAX_METADATA_BYTES,
    `must serialise to at most ${MAX_METADATA_BYTES} bytes`,
  );
const transactionId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const addCreditsInput = z.strictObject({
  userId,
  amount,
  sourceType: z.enum(grantSourceTypes),
  expirationDate: z.date().optional(),
  paymentId: transactionId.optional(),
  description: description.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadata.optional(),
});

export const consumeCreditsInput = z.strictObject({
  userId,
  amount,
  sourceType: z.enum(consumeSourceTypes),
  description: description.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadata.optional(),
});

export const clawbackCreditsInput = z.strictObject({
  userId,
  /** The most to take back; less is taken when the user has less. */
  amount,
  /** The payment whose credits are taken back; its own grant is drawn first. */
  paymentId: transactionId,
  sourceType: z.enum(clawbackSourceTypes),
  description: description.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadata.optional(),
});

export const refundCreditsInput = z.strictObject({
  userId,
  /** The CONSUME transaction being refunded. */
  transactionId,
  /** Defaults to everything that consume took and has not been refunded yet. */
  amount: amount.optional(),
  sourceType: z.enum(refundSourceTypes),
  description: description.optional(),
  idempotencyKey: idempotencyKey.optional(),
  metadata: metadata.optional(),
});

export const ledgerClockInput = z.date().optional();

export type AddCreditsInput = z.input<typeof addCreditsInput>;
export type ConsumeCreditsInput = z.input<typeof consumeCreditsInput>;
export type RefundCreditsInput = z.input<typeof refundCreditsInput>;
export type ClawbackCreditsInput = z.input<typeof clawbackCreditsInput>;

/**
 * Parses untrusted input or throws a typed error before anything is written. A bad `sourceType` is
 * reported as UNKNOWN_SOURCE_TYPE so that a typo in app code is named plainly.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const sourceIssue = parsed.error.issues.find((issue) => issue.path[0] === 'sourceType');
  if (sourceIssue) {
    const value = (input as { sourceType?: unknown } | null)?.sourceType;
    throw new CreditsError('UNKNOWN_SOURCE_TYPE', `unknown source type: ${JSON.stringify(value)}`);
  }
  const summary = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new CreditsError('INVALID_INPUT', summary.join('; '), parsed.error.issues);
}
