import { describe, expect, it } from 'vitest';
import { unavailableError } from '@/credits/errors';

/** Which connection failures say for certain that a ledger call did not happen. */
describe('unavailableError', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', 'not_applied'],
    ['CONNECT_TIMEOUT', 'write CONNECT_TIMEOUT', 'not_applied'],
    ['57014', 'canceling statement due to statement timeout', 'not_applied'],
    ['57014', 'canceling statement due to user request', 'unknown'],
    ['57P01', 'terminating connection due to administrator command', 'unknown'],
    ['ECONNRESET', 'read ECONNRESET', 'unknown'],
    ['CONNECTION_CLOSED', 'write CONNECTION_CLOSED', 'unknown'],
    ['CLIENT_TIMEOUT', 'no answer from the database within 17000 ms', 'unknown'],
    ['08006', 'connection failure', 'unknown'],
  ])('%s (%s) is LEDGER_UNAVAILABLE, outcome %s', (code, message, outcome) => {
    const error = Object.assign(new Error(message), { code });
    expect(unavailableError(error)).toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      details: { outcome, cause: code },
    });
  });

  it('leaves other errors alone', () => {
    expect(unavailableError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(unavailableError(new TypeError('boom'))).toBeUndefined();
    expect(unavailableError('nope')).toBeUndefined();
  });
});
