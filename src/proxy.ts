import { getSessionCookie } from 'better-auth/cookies';
import { type NextRequest, NextResponse } from 'next/server';

/**
 * An optimistic check: pages that need an account redirect to sign-in when there is no session cookie
 * at all. It does not validate the cookie; every page and route that serves data calls getSession.
 */
export function proxy(request: NextRequest): NextResponse {
  if (getSessionCookie(request)) return NextResponse.next();
  const target = new URL('/sign-in', request.url);
  target.searchParams.set('next', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(target);
}

export const config = {
  matcher: ['/settings/:path*', '/ai'],
};
