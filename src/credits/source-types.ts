/**
 * What each credit movement was for. The four transaction types are fixed; `source_type` carries the
 * finer meaning. To add one, add it to the list of its type here (and its label in the UI messages).
 * EXPIRE sources are written only by the ledger itself, never passed in.
 */
export const grantSourceTypes = [
  'register_gift',
  'subscription',
  'credit_pack',
  'lifetime',
  'monthly_allowance',
  'manual',
] as const;

export const consumeSourceTypes = ['ai_call', 'image_generation', 'manual'] as const;

/** CONSUME rows that take back what a payment bought (clawbackCredits), never spends by the user. */
export const clawbackSourceTypes = ['payment_refunded', 'payment_disputed'] as const;

export const refundSourceTypes = [
  'failed_call',
  'manual_reversal',
  /** A dispute the merchant won: what its clawback took is given back. */
  'dispute_won',
] as const;

export const expireSourceTypes = [
  /** The scheduled sweep (GET /api/cron/expire-credits). */
  'expiration_cron',
  /** Expired when the user's credits were next used, before the sweep reached them. */
  'expiration_inline',
  /** Refunded credits whose lot had already expired: they expire at once. */
  'expired_on_refund',
] as const;

export type GrantSourceType = (typeof grantSourceTypes)[number];
export type ConsumeSourceType = (typeof consumeSourceTypes)[number];
export type ClawbackSourceType = (typeof clawbackSourceTypes)[number];
export type RefundSourceType = (typeof refundSourceTypes)[number];
export type ExpireSourceType = (typeof expireSourceTypes)[number];
export type CreditSourceType =
  | GrantSourceType
  | ConsumeSourceType
  | ClawbackSourceType
  | RefundSourceType
  | ExpireSourceType;
