import { getSessionCookie } from 'better-auth/cookies';
import { type NextRequest, NextResponse } from 'next/server';
import {
  API_CONTENT_SECURITY_POLICY,
  createNonce,
  pageContentSecurityPolicy,
  strictTransportSecurity,
} from '@/lib/security-headers';

/**
 * Runs before every page and route (not static assets). Two jobs:
 *
 * - The Content-Security-Policy, with a fresh nonce per page. Next.js reads the nonce from the
 *   request's CSP header and puts it on its scripts, so the policy is set on the request as well as on
 *   the response (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md). Every page
 *   is rendered per request (the layout reads the language cookie), which nonces require.
 * - An optimistic check: pages that need an account redirect to sign-in when there is no session cookie
 *   at all. It does not validate the cookie; every page and route that serves data calls getSession.
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const isApi = pathname === '/api' || pathname.startsWith('/api/');
  // The public URL is required in production (src/env.ts); it says whether the app is served on https.
  const https = process.env.BETTER_AUTH_URL?.startsWith('https://') ?? false;
  const nonce = createNonce();
  const policy = isApi
    ? API_CONTENT_SECURITY_POLICY
    : pageContentSecurityPolicy({ nonce, development: process.env.NODE_ENV === 'development', https });

  let response: NextResponse;
  if (needsSession(pathname) && !getSessionCookie(request)) {
    const target = new URL('/sign-in', request.url);
    target.searchParams.set('next', `${pathname}${search}`);
    response = NextResponse.redirect(target);
  } else if (isApi) {
    response = NextResponse.next();
  } else {
    // Replaces any CSP header the client sent, so the nonce Next.js finds is always this one. Pages
    // that add a <Script> of their own read the nonce from x-nonce (docs/security.md).
    const headers = new Headers(request.headers);
    headers.set('content-security-policy', policy);
    headers.set('x-nonce', nonce);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set('content-security-policy', policy);
  const hsts = strictTransportSecurity({ production: process.env.NODE_ENV === 'production', https });
  if (hsts) response.headers.set('strict-transport-security', hsts);
  return response;
}

/** The pages that need an account: /settings and everything under it, and /ai. */
export function needsSession(pathname: string): boolean {
  return pathname === '/ai' || pathname === '/settings' || pathname.startsWith('/settings/');
}

export const config = {
  // Everything but Next.js's own files (static chunks, image optimisation, HMR) and the favicon, which
  // get the static headers from next.config.ts and need no nonce.
  matcher: ['/((?!_next/|favicon.ico).*)'],
};
