import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '@/lib/password';

describe('passwordProblem', () => {
  it('accepts a password of exactly the minimum and of exactly the maximum length', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(10);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    expect(passwordProblem('tr4ck-lamp')).toBeNull();
    expect(passwordProblem('ab'.repeat(64))).toBeNull();
    expect(passwordProblem('correct horse battery staple')).toBeNull();
  });

  it('finds a password one character too short or too long', () => {
    expect(passwordProblem('')).toBe('TOO_SHORT');
    expect(passwordProblem('tr4ck-lam')).toBe('TOO_SHORT');
    expect(passwordProblem(`${'ab'.repeat(64)}c`)).toBe('TOO_LONG');
  });

  it.each([
    ['a single repeated character', 'aaaaaaaaaaaa'],
    ['a repeated digit', '1111111111'],
    ['a repeated character in mixed case', 'AaAaAaAaAa'],
    ['password123', 'password123'],
    ['a common password in capitals', 'PASSWORD123'],
    ['qwertyuiop', 'qwertyuiop'],
    ['1234567890', '1234567890'],
  ])('calls %s weak', (_name, password) => {
    expect(passwordProblem(password)).toBe('WEAK');
  });

  it("calls the user's own email address, or the part before the @, weak", () => {
    const email = 'Grace.Hopper@example.com';
    expect(passwordProblem('grace.hopper', { email })).toBe('WEAK');
    expect(passwordProblem('GRACE.HOPPER', { email })).toBe('WEAK');
    expect(passwordProblem('grace.hopper@example.com', { email })).toBe('WEAK');
    // The same password is fine for someone else, and a password merely containing the name is allowed.
    expect(passwordProblem('grace.hopper', { email: 'ada@example.com' })).toBeNull();
    expect(passwordProblem('grace.hopper-compiles-1952', { email })).toBeNull();
  });

  it('checks the length before the weakness, as the server answers in that order', () => {
    expect(passwordProblem('aaaa')).toBe('TOO_SHORT');
    expect(passwordProblem('a'.repeat(200))).toBe('TOO_LONG');
  });
});
