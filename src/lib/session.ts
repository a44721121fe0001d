import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { getAuth, type Session } from './auth';

/**
 * The real session check, done wherever data is served. (src/proxy.ts only looks for the cookie, to
 * redirect early; a forged or expired cookie gets past it and is stopped here.)
 */
export async function getSession(requestHeaders?: Headers): Promise<Session | null> {
  if (requestHeaders) return getAuth().api.getSession({ headers: requestHeaders });
  return sessionOfThisRender();
}

/** One lookup per server render: the header and the page both ask, and share the answer. */
const sessionOfThisRender = cache(async () => getAuth().api.getSession({ headers: await headers() }));

/** The signed-in user, or a redirect to the sign-in page that comes back to `returnTo` afterwards. */
export async function requireUser(returnTo: string): Promise<Session['user']> {
  const session = await getSession();
  if (!session) redirect(signInPath(returnTo));
  return session.user;
}

export function signInPath(returnTo: string): string {
  return `/sign-in?next=${encodeURIComponent(safeReturnPath(returnTo))}`;
}

const RETURN_FALLBACK = '/settings/credits';
const PROBE_ORIGIN = 'http://same.invalid';

/**
 * Only same-site paths may be returned to after sign-in, never another origin (an open redirect).
 * Browsers and URL parsers drop tabs and newlines and read `\` as `/`, so `/\t/evil.com` means
 * `//evil.com`: such characters are refused outright, and what remains must resolve to this origin.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value?.startsWith('/') || [...value].some(isUnsafeInPath)) return RETURN_FALLBACK;
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return RETURN_FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Control characters (U+0000 to U+001F, U+007F) and the backslash. */
function isUnsafeInPath(char: string): boolean {
  const code = char.charCodeAt(0);
  return code <= 0x1f || code === 0x7f || char === '\\';
}
