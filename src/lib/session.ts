import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { getAuth, type Session } from './auth';
import { safeReturnPath } from './return-path';

// The return-path check runs in the browser too (the sign-in form), so it lives in its own module.
export { safeReturnPath };

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
