/**
 * The closed catalogue of payment errors, each with the HTTP status a webhook answers for it. The status
 * is the contract with the provider: 4xx says "this delivery is bad, stop", 5xx says "retry later".
 * A payment that cannot be matched to a user is always a 5xx, so the provider keeps it alive until the
 * cause (a user row not yet written, an event still in flight) is gone; answering 200 would lose it.
 */
export const paymentErrorCodes = {
  /** The signature, timestamp or payload does not check out: nothing was written. */
  INVALID_NOTIFICATION: 400,
  /** The notification contradicts the stored order (amount, currency, merchant, app): nothing written. */
  ORDER_MISMATCH: 400,
  /** No user or no stored payment to attach this to (yet): the provider must retry. */
  UNMATCHED_PAYMENT: 500,
  /** The provider's API failed or answered something unexpected: retry. */
  PROVIDER_UNAVAILABLE: 502,
} as const;

export type PaymentErrorCode = keyof typeof paymentErrorCodes;

export class PaymentError extends Error {
  readonly code: PaymentErrorCode;
  readonly status: number;

  constructor(code: PaymentErrorCode, message: string) {
    super(message);
    this.name = 'PaymentError';
    this.code = code;
    this.status = paymentErrorCodes[code];
  }
}

export function isPaymentError(error: unknown, code?: PaymentErrorCode): error is PaymentError {
  return error instanceof PaymentError && (code === undefined || error.code === code);
}
