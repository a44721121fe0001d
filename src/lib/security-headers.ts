/**
 * The security headers of every response. The static ones are set for every path in next.config.ts
 * (static assets included); the Content-Security-Policy, which carries a fresh nonce per page, and
 * Strict-Transport-Security, which depends on the deployment, are set per request by src/proxy.ts.
 * Imported by next.config.ts and the proxy, so it imports nothing from the app.
 */

/** Headers whose value never changes: sent on every response, static files included. */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  // For browsers without CSP's frame-ancestors; the CSP says the same.
  { key: 'X-Frame-Options', value: 'DENY' },
  // Stripe Checkout and the Customer Portal are navigations, never popups or frames of ours.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  {
    key: 'Permissions-Policy',
    value: [
      'accelerometer=()',
      'autoplay=()',
      'camera=()',
      'display-capture=()',
      'geolocation=()',
      'gyroscope=()',
      'magnetometer=()',
      'microphone=()',
      'payment=()',
      'usb=()',
    ].join(', '),
  },
];

/**
 * Where forms may submit. A server action without JavaScript is a form post that may redirect to
 * Stripe (the Customer Portal), and Chromium applies form-action to the redirect too.
 */
const FORM_TARGETS = ["'self'", 'https://checkout.stripe.com', 'https://billing.stripe.com'];

export interface PagePolicyOptions {
  nonce: string;
  /** `next dev`: React needs eval for its debugging aids and injects styles without nonces. */
  development: boolean;
  /** The app is served over https: ask the browser to upgrade any stray http subresource. */
  https: boolean;
}

/**
 * The CSP of a page. Scripts run only with this response's nonce (Next.js puts it on its own scripts
 * and inline bootstrap when it finds it in the request's CSP header), and what they load is trusted
 * through 'strict-dynamic'; no 'unsafe-inline' for scripts. Nothing may frame the app.
 */
export function pageContentSecurityPolicy({ nonce, development, https }: PagePolicyOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action ${FORM_TARGETS.join(' ')}`,
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** The CSP of an API response: JSON that, if a browser ever renders it, may load and run nothing. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Strict-Transport-Security, for production on https only (a browser ignores it over http, and on a
 * development machine it would pin localhost to https). A year, without includeSubDomains or preload:
 * those bind every subdomain of the deployer's domain, a decision for the deployer (docs/security.md).
 */
export function strictTransportSecurity(options: { production: boolean; https: boolean }): string | null {
  return options.production && options.https ? 'max-age=31536000' : null;
}

/** A fresh nonce: 128 random bits, base64. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
