/** What the torture workload issues, and what each call answered, as the final checks read them. */

export type CallKind = 'grant' | 'payment_grant' | 'consume' | 'refund' | 'clawback' | 'expire';

/**
 * - `ok`: a success result was acknowledged (after the commit, for calls in a caller's transaction);
 * - `refused`: a typed result that changes nothing (INSUFFICIENT, CONFLICT, DUPLICATE, EXCEEDS_REFUNDABLE);
 * - `invalid`: a typed CreditsError for input the ledger rightly refuses at its clock (e.g. a grant whose
 *   expiry the user's clock has already passed);
 * - `not_applied`: the call's transaction certainly rolled back (the caller's work threw before COMMIT);
 * - `unknown`: no answer that says (a killed connection, a restarted server, a timeout): the log decides.
 */
export type Outcome = 'ok' | 'refused' | 'invalid' | 'not_applied' | 'unknown';

export interface CallRecord {
  /** Unique per call; stored as `metadata.t` on the row the call writes, so the log can be searched. */
  id: number;
  kind: CallKind;
  userId: string;
  amount?: number;
  sourceType?: string;
  key?: string;
  paymentId?: number;
  consumeId?: number;
  expiresAt?: Date;
  /** The caller's transaction rolled back on purpose after the call answered. */
  rolledBackOnPurpose?: boolean;
  outcome: Outcome;
  /** The last answer: a result object, or the error's code. */
  result?: Record<string, unknown>;
  errorCode?: string;
  /** How the last failed attempt ran and failed (mode, cause, whether the work finished), for reports. */
  errorNote?: string;
  attempts: number;
  /** An attempt did not answer within the hang bound (it may have answered later: still a defect). */
  hung?: boolean;
  /** Wall-clock milliseconds of the last attempt. */
  latencyMs: number;
}

export interface Violation {
  check: string;
  detail: string;
}
