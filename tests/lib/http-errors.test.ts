import { describe, expect, it } from 'vitest';
import { CreditsError } from '@/credits/errors';
import { inputErrorResponse } from '@/lib/http';

describe('inputErrorResponse', () => {
  it('answers bad input with 400 and its message', async () => {
    const response = inputErrorResponse(
      new CreditsError('INVALID_INPUT', 'cursor: malformed history cursor'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'INVALID_INPUT',
      message: 'cursor: malformed history cursor',
    });
  });

  it('answers an unavailable database with 503 and Retry-After, without its internals', async () => {
    const error = new CreditsError(
      'LEDGER_UNAVAILABLE',
      'the database did not answer (ECONNRESET: read ECONNRESET)',
      {
        outcome: 'unknown',
        cause: 'ECONNRESET',
      },
    );
    const response = inputErrorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'UNAVAILABLE', retryable: true });
  });

  it('rethrows anything else: a bug is not an answer', () => {
    const bug = new CreditsError('LEDGER_INVARIANT', 'lots do not cover the balance');
    expect(() => inputErrorResponse(bug)).toThrow(bug);
  });
});
