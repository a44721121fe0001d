/**
 * The password rules, shared by the sign-up form (to answer at once, without spending a rate-limited
 * attempt) and the server (src/lib/auth.ts, which enforces them whatever the client sends).
 * Lengths are counted as better-auth counts them (UTF-16 code units), so both sides agree.
 */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'WEAK';

// The most common passwords that are long enough to pass the length rule; attackers try them first.
const COMMON_PASSWORDS = new Set([
  '0123456789',
  '0987654321',
  '1234567890',
  '12345678910',
  '123456789a',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'abc1234567',
  'abcdefghij',
  'admin12345',
  'administrator',
  'iloveyou123',
  'letmein123',
  'passw0rd123',
  'password01',
  'password12',
  'password123',
  'password1234',
  'password12345',
  'qazwsxedc123',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  'qwertyuiop',
  'welcome123',
]);

/**
 * What is wrong with `password`, or null when it is acceptable: at least PASSWORD_MIN_LENGTH and at most
 * PASSWORD_MAX_LENGTH characters, and not obviously guessable (one repeated character, a very common
 * password, or the user's own email address or its part before the @).
 */
export function passwordProblem(password: string, context: { email?: string } = {}): PasswordProblem | null {
  if (password.length < PASSWORD_MIN_LENGTH) return 'TOO_SHORT';
  if (password.length > PASSWORD_MAX_LENGTH) return 'TOO_LONG';
  const folded = password.toLowerCase();
  if (new Set(folded).size === 1) return 'WEAK';
  if (COMMON_PASSWORDS.has(folded)) return 'WEAK';
  const email = context.email?.trim().toLowerCase();
  if (email) {
    const localPart = email.split('@')[0];
    if (folded === email || folded === localPart) return 'WEAK';
  }
  return null;
}
