import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { returnTargetOrRedirect } from '@/app/(auth)/return-target';
import { RETURN_FALLBACK, safeReturnPath } from '@/lib/return-path';
import { signUp } from '../http';

// next/headers reads the incoming request, which only exists inside Next.js; here each test says what
// the request carries. Everything behind it (better-auth, the session table) is real.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock('next/headers', () => ({ headers: async () => request.headers }));

afterEach(() => {
  request.headers = new Headers();
});

const APP = 'https://app.example.com';

/**
 * Where a browser lands when it follows `target` as a Location header (or a client-side navigation)
 * from the sign-in page. This is what must stay on the app's origin, whatever `next` said.
 */
function landing(target: string): URL {
  return new URL(target, `${APP}/sign-in?next=x`);
}

/** Every way we know to smuggle another host through a path; each must fall back to the credits page. */
const HOSTILE = [
  '//evil.com',
  '///evil.com',
  '////evil.com',
  '/.//evil.com',
  '/./\\/evil.com',
  '/%2e//evil.com',
  '/%2E//evil.com',
  '/%2e%2e//evil.com',
  '/..//evil.com',
  '/../..//evil.com',
  '/a/..//evil.com',
  '/a/b/../..//evil.com',
  '/a/%2e%2e//evil.com',
  '/.%2e//evil.com',
  '/././/evil.com',
  '/\\evil.com',
  '/\\/evil.com',
  '\\\\evil.com',
  '/.\\evil.com',
  '/\t/evil.com',
  '/\n/evil.com',
  '/\r\n/evil.com',
  '/.\t//evil.com',
  '/\u0000/evil.com',
  '/\u001f/evil.com',
  'https://evil.com',
  'http:evil.com',
  'https:/evil.com',
  '//evil.com/%2e%2e',
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.com',
  './/evil.com',
  '',
] as const;

/** Same-site paths, some with dot segments or encodings, and what they normalise to. */
const SAFE = [
  ['/ai', '/ai'],
  ['/settings/credits?page=2', '/settings/credits?page=2'],
  ['/settings/credits?type=GRANT#transaction-4', '/settings/credits?type=GRANT#transaction-4'],
  ['/a/../ai', '/ai'],
  ['/./ai', '/ai'],
  ['/%2e/ai', '/ai'],
  ['/%2F/evil.com', '/%2F/evil.com'],
  ['/%5C/evil.com', '/%5C/evil.com'],
  ['/%09/evil.com', '/%09/evil.com'],
  ['/ai?next=//evil.com', '/ai?next=//evil.com'],
  ['/ai#//evil.com', '/ai#//evil.com'],
  ['/javascript:alert(1)', '/javascript:alert(1)'],
] as const;

describe('safeReturnPath: a corpus of hostile `next` values', () => {
  it.each(HOSTILE)('falls back to the credits page for %j', (value) => {
    expect(safeReturnPath(value)).toBe(RETURN_FALLBACK);
  });

  it.each(SAFE)('keeps the same-site path %j as %j', (value, expected) => {
    expect(safeReturnPath(value)).toBe(expected);
    expect(landing(expected).origin).toBe(APP);
  });

  it('falls back for a missing value and for a path over 2048 characters', () => {
    for (const value of [null, undefined, `/${'a'.repeat(2_048)}`]) {
      expect(safeReturnPath(value)).toBe(RETURN_FALLBACK);
    }
    expect(safeReturnPath(`/${'a'.repeat(2_047)}`)).toBe(`/${'a'.repeat(2_047)}`);
  });
});

/** Strings built from the pieces that URL parsers and browsers treat specially. */
const tricky = fc
  .array(
    fc.constantFrom(
      '/',
      '//',
      '\\',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2f',
      '%5c',
      '%09',
      '\t',
      '\n',
      '\r',
      ' ',
      '@',
      ':',
      '?',
      '#',
      'evil.com',
      'javascript:',
      'http:',
      'a',
      '\u0000',
      '\u3002',
      '\uff0f',
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const anyNext = fc.oneof(tricky, fc.string({ maxLength: 40 }), fc.webUrl(), fc.webPath());

describe('safeReturnPath: a property over generated `next` values', () => {
  it('always answers a path that a browser resolves to the same origin, and is a fixed point', () => {
    fc.assert(
      fc.property(anyNext, (value) => {
        const target = safeReturnPath(value);
        expect(target.startsWith('/')).toBe(true);
        expect(target.startsWith('//')).toBe(false);
        expect(target.startsWith('/\\')).toBe(false);
        expect(landing(target).origin).toBe(APP);
        expect(safeReturnPath(target)).toBe(target);
      }),
      { numRuns: 2_000 },
    );
  });
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
  // The digest is `NEXT_REDIRECT;<type>;<url>;<status>;`: the URL itself may contain semicolons.
  return digest.split(';').slice(2, -2).join(';');
}

const params = (next: string) => ({ searchParams: Promise.resolve({ next }) });

describe('the sign-in and sign-up pages for a signed-in user (the server redirect)', () => {
  it.each(['/.//evil.com', '/%2e//evil.com', '/a/..//evil.com', '///evil.com'])(
    'redirect %j to the credits page, not to another host',
    async (next) => {
      request.headers = new Headers({ cookie: (await signUp()).cookie });
      expect(await redirectTarget(() => returnTargetOrRedirect(params(next)))).toBe(RETURN_FALLBACK);
    },
  );

  it('redirect every generated `next` to the same origin', async () => {
    request.headers = new Headers({ cookie: (await signUp()).cookie });
    await fc.assert(
      fc.asyncProperty(anyNext, async (next) => {
        const target = await redirectTarget(() => returnTargetOrRedirect(params(next)));
        expect(landing(target).origin).toBe(APP);
        expect(target.startsWith('//')).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('hand the form only a safe target when nobody is signed in', async () => {
    for (const next of HOSTILE) {
      expect(await returnTargetOrRedirect(params(next))).toBe(RETURN_FALLBACK);
    }
  });
});
