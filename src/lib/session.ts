import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth, type Session } from './auth';

/**
 * The real session check, done wherever data is served. (src/proxy.ts only looks for the cookie, to
 * redirect early; a forged or expired cookie gets past it and is stopped here.)
 */
export async function getSession(requestHeaders?: Headers): Promise<Session | null> {
  return getAuth().api.getSession({ headers: requestHeaders ?? (await headers()) });
}

/** The signed-in user, or a redirect to the sign-in page that comes back to `returnTo` afterwards. */
export async function requireUser(returnTo: string): Promise<Session['user']> {
  const session = await getSession();
  if (!session) redirect(signInPath(returnTo));
  return session.user;
}

export function signInPath(returnTo: string): string {
  return `/sign-in?next=${encodeURIComponent(safeReturnPath(returnTo))}`;
}

/** Only same-site absolute paths may be returned to after sign-in: never another origin (open redirect). */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/settings/credits';
  }
  return value;
}
