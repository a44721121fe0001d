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
  /**
   * The database could not be reached or did not answer in time (a lost connection, a restart, a
   * timeout). `details.outcome` says whether the call certainly did not happen (`not_applied`) or may have
   * (`unknown`); either way it is safe to retry with the same idempotency key, which answers the original
   * result if it did happen.
   */
  'LEDGER_UNAVAILABLE',
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

export interface UnavailableDetails {
  outcome: 'not_applied' | 'unknown';
  /** The driver's error code or the SQLSTATE. */
  cause: string;
}

/**
 * Failures of the connection rather than of the call, by the `postgres` driver's code or the SQLSTATE.
 * `not_applied`: the request never reached the server, or the server rolled it back (a statement or
 * lock timeout, a server refusing connections). `unknown`: the connection died while the call was in
 * flight, so it may have committed before the answer was lost.
 */
const UNAVAILABLE: Record<string, UnavailableDetails['outcome']> = {
  ECONNREFUSED: 'not_applied',
  CONNECT_TIMEOUT: 'not_applied',
  ENOTFOUND: 'not_applied',
  EHOSTUNREACH: 'not_applied',
  CONNECTION_ENDED: 'not_applied',
  '57014': 'not_applied', // statement timeout: the statement rolled back (a cancel request: see below)
  '55P03': 'not_applied', // lock timeout
  '25P03': 'not_applied', // idle-in-transaction timeout: the transaction rolled back
  '57P03': 'not_applied', // the server is starting up or shutting down
  '53300': 'not_applied', // too many connections
  '40P01': 'not_applied', // deadlock: this transaction was the one rolled back
  '40001': 'not_applied', // serialization failure
  CLIENT_TIMEOUT: 'unknown', // no answer within the call's deadline (src/db/index.ts)
  CONNECTION_CLOSED: 'unknown',
  CONNECTION_DESTROYED: 'unknown',
  ECONNRESET: 'unknown',
  EPIPE: 'unknown',
  ETIMEDOUT: 'unknown',
  '57P01': 'unknown', // terminated by an administrator
  '57P02': 'unknown', // the server crashed
};

function unavailableOutcome(code: string): UnavailableDetails['outcome'] | undefined {
  // Class 08: connection exceptions reported by the server.
  return UNAVAILABLE[code] ?? (code.startsWith('08') ? 'unknown' : undefined);
}

/** A typed error for a failed connection, or undefined when the error is something else. */
export function unavailableError(error: unknown): CreditsError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') {
    return undefined;
  }
  let outcome = unavailableOutcome(error.code);
  if (!outcome) return undefined;
  // A statement timeout is disabled before an autocommit statement commits, so it always means rolled
  // back; a cancel request (an operator's pg_cancel_backend) can arrive while the commit is under way.
  if (error.code === '57014' && !/statement timeout/.test(String((error as { message?: unknown }).message))) {
    outcome = 'unknown';
  }
  const details: UnavailableDetails = { outcome, cause: error.code };
  const message = error instanceof Error ? error.message : error.code;
  return new CreditsError(
    'LEDGER_UNAVAILABLE',
    `the database did not answer (${error.code}: ${message}); ${
      outcome === 'not_applied' ? 'nothing was written' : 'the call may or may not have taken effect'
    }: retry with the same idempotency key`,
    details,
  );
}

/** Maps the SQLSTATEs raised by the ledger functions (drizzle/0001_ledger_functions.sql) to typed errors. */
export function toCreditsError(error: unknown): unknown {
  const unavailable = unavailableError(error);
  if (unavailable) return unavailable;
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
