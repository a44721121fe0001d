import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { returnTargetOrRedirect } from '@/app/(auth)/return-target';
import { requireUser, safeReturnPath, signInPath } from '@/lib/session';
import { needsSession, proxy } from '@/proxy';
import { signUp } from '../http';

// next/headers reads the incoming request, which only exists inside Next.js; here each test says what
// the request carries. Everything behind it (better-auth, the session table) is real.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock('next/headers', () => ({ headers: async () => request.headers }));

afterEach(() => {
  request.headers = new Headers();
});

/** The URL a `redirect()` from next/navigation was thrown with, or fails the test. */
async function redirectTarget(action: () => Promise<unknown>): Promise<string> {
  const error = await action().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== 'string' || !digest.startsWith('NEXT_REDIRECT;')) {
    throw new Error(`expected a redirect, got ${String(error)}`);
  }
  return digest.split(';')[2] ?? '';
}

describe('proxy (the optimistic cookie check)', () => {
  it.each([
    ['/settings/credits?x=1', '/sign-in?next=%2Fsettings%2Fcredits%3Fx%3D1'],
    ['/settings/billing', '/sign-in?next=%2Fsettings%2Fbilling'],
    ['/ai', '/sign-in?next=%2Fai'],
  ])('sends a visitor without a session cookie from %s to %s', (path, target) => {
    const response = proxy(new NextRequest(`http://localhost${path}`));
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`http://localhost${target}`);
  });

  it('lets a request with a real session cookie through, also under the __Secure- prefix', async () => {
    const { cookie } = await signUp();
    expect(cookie).toMatch(/(^|; )better-auth\.session_token=/);
    for (const sent of [cookie, `__Secure-${cookie}`]) {
      const response = proxy(
        new NextRequest('http://localhost/settings/credits', { headers: { cookie: sent } }),
      );
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('x-middleware-next')).toBe('1');
    }
  });

  it('asks for a session cookie on /settings/* and /ai only', () => {
    // The proxy now runs on every page (it sets the CSP; tests/api/security-headers.test.ts), so where
    // the cookie check applies is pinned on what the proxy does, not on its matcher.
    for (const path of ['/settings', '/settings/credits', '/settings/billing/invoices', '/ai']) {
      expect(needsSession(path), path).toBe(true);
      expect(proxy(new NextRequest(`http://localhost${path}`)).status, path).toBe(307);
    }
    for (const path of ['/', '/sign-in', '/sign-up', '/api/auth/get-session', '/aix', '/pricing']) {
      expect(needsSession(path), path).toBe(false);
      const response = proxy(new NextRequest(`http://localhost${path}`));
      expect(response.headers.get('location'), path).toBeNull();
      expect(response.headers.get('x-middleware-next'), path).toBe('1');
    }
  });
});

describe('safeReturnPath and signInPath', () => {
  it.each([
    ['//evil.com', '/settings/credits'],
    ['https://evil.com', '/settings/credits'],
    ['/\\evil.com', '/settings/credits'],
    ['/\t/evil.com', '/settings/credits'],
    ['/\n/evil.com', '/settings/credits'],
    ['/\r\n/evil.com', '/settings/credits'],
    ['/%09/evil.com', '/%09/evil.com'],
    ['/\u0000/evil.com', '/settings/credits'],
    ['evil.com', '/settings/credits'],
    ['', '/settings/credits'],
    [null, '/settings/credits'],
    ['/ai', '/ai'],
    ['/settings/credits?page=2', '/settings/credits?page=2'],
    ['/settings/credits?type=GRANT#transaction-4', '/settings/credits?type=GRANT#transaction-4'],
  ])('turns %j into %j', (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
  });

  it('builds the sign-in address with the return path encoded, never another origin', () => {
    expect(signInPath('/settings/credits?x=1&y=2')).toBe(
      '/sign-in?next=%2Fsettings%2Fcredits%3Fx%3D1%26y%3D2',
    );
    expect(signInPath('//evil.com')).toBe('/sign-in?next=%2Fsettings%2Fcredits');
  });
});

describe('requireUser (the real check where data is served)', () => {
  it('redirects a request without a session to sign-in, coming back afterwards', async () => {
    expect(await redirectTarget(() => requireUser('/settings/credits?x=1'))).toBe(
      '/sign-in?next=%2Fsettings%2Fcredits%3Fx%3D1',
    );
  });

  it('redirects a forged session cookie, which the proxy would have let through', async () => {
    request.headers = new Headers({ cookie: 'better-auth.session_token=forged.value' });
    expect(await redirectTarget(() => requireUser('/ai'))).toBe('/sign-in?next=%2Fai');
  });

  it('answers the signed-in user', async () => {
    const { userId, cookie } = await signUp();
    request.headers = new Headers({ cookie });
    expect((await requireUser('/settings/credits')).id).toBe(userId);
  });
});

describe('the sign-in and sign-up pages when already signed in', () => {
  const params = (next?: string) => ({ searchParams: Promise.resolve(next === undefined ? {} : { next }) });

  it('show the form to a visitor, returning to a safe `next` afterwards', async () => {
    expect(await returnTargetOrRedirect(params('/ai'))).toBe('/ai');
    expect(await returnTargetOrRedirect(params('https://evil.com'))).toBe('/settings/credits');
    expect(await returnTargetOrRedirect(params())).toBe('/settings/credits');
  });

  it('send a signed-in user straight to the safe `next` target', async () => {
    const { cookie } = await signUp();
    request.headers = new Headers({ cookie });
    expect(await redirectTarget(() => returnTargetOrRedirect(params('/ai?from=home')))).toBe('/ai?from=home');
    expect(await redirectTarget(() => returnTargetOrRedirect(params('//evil.com')))).toBe(
      '/settings/credits',
    );
  });
});
