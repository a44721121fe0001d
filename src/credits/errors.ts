/**
 * The closed catalogue of errors the credits module throws. Expected outcomes (insufficient credits,
 * an idempotent replay, a conflicting key) are results, not errors; these are bad input and bugs.
 */
export const creditsErrorCodes = [
  /** An argument failed validation (zero, negative, fractional, NaN, too large, malformed key or cursor). */
  'INVALID_INPUT',
  /** The source type is not in the catalogue for this transaction type (src/credits/source-types.ts). */
  'UNKNOWN_SOURCE_TYPE',
  /** No user with this id. */
  'UNKNOWN_USER',
  /** The payment does not exist or belongs to another user. */
  'PAYMENT_MISMATCH',
  /** The transaction to refund is not a consume of this user. */
  'TRANSACTION_NOT_FOUND',
  /** A ledger invariant is broken: a bug or a manual edit. Never expected; always investigate. */
  'LEDGER_INVARIANT',
] as const;

export type CreditsErrorCode = (typeof creditsErrorCodes)[number];

export class CreditsError extends Error {
  readonly code: CreditsErrorCode;
  readonly details?: unknown;

  constructor(code: CreditsErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'CreditsError';
    this.code = code;
    this.details = details;
  }
}

export function isCreditsError(error: unknown, code?: CreditsErrorCode): error is CreditsError {
  return error instanceof CreditsError && (code === undefined || error.code === code);
}

interface PostgresError {
  code: string;
  message: string;
  constraint_name?: string;
}

function isPostgresError(error: unknown): error is PostgresError {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string';
}

/** Maps the SQLSTATEs raised by the ledger functions (drizzle/0001_ledger_functions.sql) to typed errors. */
export function toCreditsError(error: unknown): unknown {
  if (!isPostgresError(error)) return error;
  switch (error.code) {
    case 'CR002':
      return new CreditsError('UNKNOWN_USER', error.message);
    case 'CR003':
      return new CreditsError('LEDGER_INVARIANT', error.message);
    case 'CR004':
      return new CreditsError('PAYMENT_MISMATCH', error.message);
    case 'CR005':
      return new CreditsError('TRANSACTION_NOT_FOUND', error.message);
    case 'CR006':
      return new CreditsError('INVALID_INPUT', error.message);
    case '23503':
      // The only foreign key a grant can miss before any write is the user's.
      if (error.constraint_name === 'user_credit_user_id_user_id_fk') {
        return new CreditsError('UNKNOWN_USER', 'unknown user');
      }
      return error;
    default:
      return error;
  }
}
