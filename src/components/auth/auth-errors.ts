import type { PasswordProblem } from '@/lib/password';

/**
 * Turns a failed better-auth answer into one of our messages (messages/<locale>/auth.json, `errors`).
 * The codes are better-auth 1.7's (BASE_ERROR_CODES in @better-auth/core), plus our WEAK_PASSWORD
 * (src/lib/auth.ts). Its rate limiter answers 429 with no code and the wait in `X-Retry-After` (seconds).
 */

export type AuthErrorKey =
  | 'emailTaken'
  | 'wrongCredentials'
  | 'passwordTooShort'
  | 'passwordTooLong'
  | 'passwordWeak'
  | 'passwordRequired'
  | 'invalidEmail'
  | 'rateLimited'
  | 'rateLimitedLater'
  | 'generic';

export interface AuthFailure {
  key: AuthErrorKey;
  /** The field the message is about, marked invalid in the form. */
  field?: 'email' | 'password';
  retryAfterSeconds?: number;
}

const byCode: Record<string, AuthFailure> = {
  USER_ALREADY_EXISTS: { key: 'emailTaken', field: 'email' },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { key: 'emailTaken', field: 'email' },
  INVALID_EMAIL_OR_PASSWORD: { key: 'wrongCredentials' },
  INVALID_EMAIL: { key: 'invalidEmail', field: 'email' },
  PASSWORD_TOO_SHORT: { key: 'passwordTooShort', field: 'password' },
  PASSWORD_TOO_LONG: { key: 'passwordTooLong', field: 'password' },
  WEAK_PASSWORD: { key: 'passwordWeak', field: 'password' },
};

export const byPasswordProblem: Record<PasswordProblem, AuthFailure> = {
  TOO_SHORT: { key: 'passwordTooShort', field: 'password' },
  TOO_LONG: { key: 'passwordTooLong', field: 'password' },
  WEAK: { key: 'passwordWeak', field: 'password' },
};

/**
 * Maps a failed better-auth response to one of our messages, so readers see a translated, actionable
 * sentence (and the field at fault) instead of better-auth's English error text.
 */
export async function describeAuthFailure(response: Response): Promise<AuthFailure> {
  if (response.status === 429) {
    const seconds = Number(response.headers.get('x-retry-after'));
    return Number.isInteger(seconds) && seconds > 0
      ? { key: 'rateLimited', retryAfterSeconds: seconds }
      : { key: 'rateLimitedLater' };
  }
  const body = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
  const code = typeof body?.code === 'string' ? body.code : '';
  const known = byCode[code];
  if (known) return known;
  // The sign-up body's schema rejects a malformed email before the handler does, as VALIDATION_ERROR.
  if (code === 'VALIDATION_ERROR' && String(body?.message).startsWith('[body.email]')) {
    return { key: 'invalidEmail', field: 'email' };
  }
  return { key: 'generic' };
}

/** A deliberately loose check, to answer an obvious typo at once; the server's check is the real one. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
