import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/auth/[...all]/route';
import { describeAuthFailure } from '@/components/auth/auth-errors';
import { backfillRegisterGifts, getCreditBalance } from '@/credits';
import { getSql } from '@/db';
import { getSession } from '@/lib/session';
import { DAY_MS, ledgerRowCounts, toDate } from '../factories';
import { authRequest, cookieFrom, sessionUserId, signUp, withCookie } from '../http';

/** Requests go through the real better-auth handler, as the sign-up and sign-in forms send them. */

function newEmail(): string {
  return `user-${randomUUID()}@example.test`;
}

async function giftsOf(userId: string) {
  return getSql()<{ amount: number; expiration_date: unknown; idempotency_key: string }[]>`
    SELECT amount, expiration_date, idempotency_key FROM credit_transaction
    WHERE user_id = ${userId} AND type = 'GRANT' AND source_type = 'register_gift'`;
}

async function usersWithEmail(email: string): Promise<number> {
  const [row] = await getSql()<{ n: string }[]>`SELECT count(*) AS n FROM "user" WHERE email = ${email}`;
  return Number(row?.n);
}

describe('sign-up', () => {
  it('creates the user and grants exactly one 50-credit gift expiring 30 days later', async () => {
    const before = Date.now();
    const { userId, cookie } = await signUp();
    const after = Date.now();

    const gifts = await giftsOf(userId);
    expect(gifts).toHaveLength(1);
    expect(gifts[0]).toMatchObject({ amount: 50, idempotency_key: `register_gift:${userId}` });
    const expiresAt = toDate(gifts[0]?.expiration_date)?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(expiresAt).toBeLessThanOrEqual(after + 30 * DAY_MS);
    expect((await getCreditBalance(userId)).current).toBe(50);
    // Signed in at once: the cookie from the sign-up answer is a live session.
    expect(await sessionUserId(cookie)).toBe(userId);
  });

  it('still signs the user up when the gift fails, and the backfill grants it later, once', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    // The database refuses every balance row for a moment, as it would during an outage of the ledger.
    await getSql().unsafe(`
      CREATE FUNCTION test_refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'ledger unavailable for the test'; END $$;
      CREATE TRIGGER test_refuse_ledger BEFORE INSERT ON user_credit
        FOR EACH ROW EXECUTE FUNCTION test_refuse_ledger();`);
    let user: Awaited<ReturnType<typeof signUp>>;
    try {
      user = await signUp();
    } finally {
      await getSql().unsafe(
        'DROP TRIGGER test_refuse_ledger ON user_credit; DROP FUNCTION test_refuse_ledger();',
      );
    }
    expect(await sessionUserId(user.cookie)).toBe(user.userId);
    expect(await giftsOf(user.userId)).toHaveLength(0);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('the backfill will retry'),
      expect.anything(),
    );

    const backfill = await backfillRegisterGifts({ limit: 100 });
    expect(backfill.granted).toBeGreaterThanOrEqual(1);
    expect(await giftsOf(user.userId)).toHaveLength(1);
    expect((await backfillRegisterGifts({ limit: 100 })).granted).toBe(0);
    expect((await getCreditBalance(user.userId)).current).toBe(50);
    logged.mockRestore();
  });

  it('refuses a taken email, whatever its case, and grants no second gift', async () => {
    const email = newEmail();
    const { userId } = await signUp({ email });
    for (const again of [email, email.toUpperCase()]) {
      const response = await POST(
        authRequest('/sign-up/email', { email: again, password: 'another good passphrase', name: 'x' }),
      );
      expect(response.status).toBe(422);
      expect((await response.clone().json()).code).toBe('USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
      expect(await describeAuthFailure(response)).toMatchObject({ key: 'emailTaken' });
    }
    expect(await usersWithEmail(email)).toBe(1);
    expect(await giftsOf(userId)).toHaveLength(1);
  });

  it.each([
    ['too short', 'short-pw', 'PASSWORD_TOO_SHORT', 'passwordTooShort'],
    ['too long', 'x1'.repeat(65), 'PASSWORD_TOO_LONG', 'passwordTooLong'],
    ['a common password', 'password123', 'WEAK_PASSWORD', 'passwordWeak'],
    ['one repeated character', 'zzzzzzzzzzzz', 'WEAK_PASSWORD', 'passwordWeak'],
    ['the email before the @', 'EMAIL-LOCAL', 'WEAK_PASSWORD', 'passwordWeak'],
  ])(
    'refuses a password that is %s, creating no user and writing no ledger row',
    async (_name, password, code, key) => {
      const local = `weak-${randomUUID()}`;
      const email = `${local}@example.test`;
      const ledgerBefore = await ledgerRowCounts();
      const response = await POST(
        authRequest('/sign-up/email', { email, password: password.replace('EMAIL-LOCAL', local), name: 'x' }),
      );
      expect(response.status).toBe(400);
      expect((await response.clone().json()).code).toBe(code);
      expect(await describeAuthFailure(response)).toMatchObject({ key, field: 'password' });
      expect(await usersWithEmail(email)).toBe(0);
      expect(await ledgerRowCounts()).toEqual(ledgerBefore);
    },
  );

  it('refuses a malformed email with a message about the email', async () => {
    const response = await POST(
      authRequest('/sign-up/email', { email: 'not-an-email', password: 'a fine passphrase', name: 'x' }),
    );
    expect(response.status).toBe(400);
    expect(await describeAuthFailure(response)).toEqual({ key: 'invalidEmail', field: 'email' });
  });
});

describe('changing a password', () => {
  it('refuses a weak new password with WEAK_PASSWORD and keeps the old one', async () => {
    const user = await signUp();
    const response = await POST(
      authRequest(
        '/change-password',
        { currentPassword: user.password, newPassword: 'password123' },
        { cookie: user.cookie },
      ),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'WEAK_PASSWORD' });
    const signIn = await POST(authRequest('/sign-in/email', { email: user.email, password: user.password }));
    expect(signIn.status).toBe(200);
  });
});

describe('sign-in and sign-out', () => {
  it('answers INVALID_EMAIL_OR_PASSWORD to a wrong password and to an unknown email alike', async () => {
    const { email } = await signUp();
    for (const body of [
      { email, password: 'not the right passphrase' },
      { email: newEmail(), password: 'not the right passphrase' },
    ]) {
      const response = await POST(authRequest('/sign-in/email', body));
      expect(response.status).toBe(401);
      expect(cookieFrom(response)).toBe('');
      expect((await response.clone().json()).code).toBe('INVALID_EMAIL_OR_PASSWORD');
      expect(await describeAuthFailure(response)).toEqual({ key: 'wrongCredentials' });
    }
  });

  it('signs in with the right password, and signing out ends that session', async () => {
    const { userId, email, password } = await signUp();
    const response = await POST(authRequest('/sign-in/email', { email, password }));
    expect(response.status).toBe(200);
    const cookie = cookieFrom(response);
    expect(cookie).toMatch(/better-auth\.session_token=/);
    expect(await sessionUserId(cookie)).toBe(userId);
    expect((await getSession(withCookie(cookie)))?.user.id).toBe(userId);
    // Signing in again grants nothing: the gift is once per user.
    expect(await giftsOf(userId)).toHaveLength(1);

    const out = await POST(authRequest('/sign-out', {}, { cookie }));
    expect(out.status).toBe(200);
    expect(await sessionUserId(cookie)).toBeNull();
    expect(await getSession(withCookie(cookie))).toBeNull();
  });
});

describe('rate limiting', () => {
  it('answers 429 to the sixth sign-in attempt from one address within a minute, with the wait', async () => {
    const { email } = await signUp();
    const ip = '10.250.0.6';
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      last = await POST(authRequest('/sign-in/email', { email, password: 'a wrong passphrase' }, { ip }));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const retryAfter = Number(last?.headers.get('x-retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    if (!last) throw new Error('no response');
    expect(await describeAuthFailure(last)).toEqual({ key: 'rateLimited', retryAfterSeconds: retryAfter });

    // Another address is not affected.
    const other = await POST(authRequest('/sign-in/email', { email, password: 'a wrong passphrase' }));
    expect(other.status).toBe(401);
  });
});
