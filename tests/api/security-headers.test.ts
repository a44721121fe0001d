import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STATIC_SECURITY_HEADERS } from '@/lib/security-headers';
import { config, proxy } from '@/proxy';
import nextConfig from '../../next.config';

afterEach(() => {
  vi.unstubAllEnvs();
});

function through(path: string, headers: Record<string, string> = {}) {
  return proxy(new NextRequest(`http://localhost${path}`, { headers }));
}

/** The directives of a CSP header, by name. */
function directives(policy: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) parsed.set(name, values);
  }
  return parsed;
}

const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];

describe('the Content-Security-Policy of a page', () => {
  it('allows scripts only with a fresh nonce, never inline, and lets nothing frame the page', () => {
    const policy = directives(through('/').headers.get('content-security-policy'));
    const scripts = policy.get('script-src') ?? [];
    expect(scripts).toContain("'strict-dynamic'");
    expect(scripts.some((value) => /^'nonce-[A-Za-z0-9+/]{22}==?'$/.test(value))).toBe(true);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(policy.get('style-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('uses a new nonce for every request and hands the same policy to Next.js in the request', () => {
    const first = through('/settings/credits', { cookie: 'better-auth.session_token=x.y' });
    const second = through('/settings/credits', { cookie: 'better-auth.session_token=x.y' });
    const policy = first.headers.get('content-security-policy');
    expect(nonceOf(policy)).toBeDefined();
    expect(nonceOf(policy)).not.toBe(nonceOf(second.headers.get('content-security-policy')));
    // NextResponse.next({ request: { headers } }) passes request headers to the render this way.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(policy);
    // For a page's own <Script nonce={...}>.
    expect(first.headers.get('x-middleware-request-x-nonce')).toBe(nonceOf(policy));
  });

  it('replaces a CSP header the client sent, so a chosen nonce never reaches the render', () => {
    const response = through('/', { 'content-security-policy': "script-src 'nonce-chosen'" });
    const forwarded = response.headers.get('x-middleware-request-content-security-policy');
    expect(forwarded).toBe(response.headers.get('content-security-policy'));
    expect(forwarded).not.toContain('chosen');
  });

  it('is sent with the redirect to sign-in too', () => {
    const response = through('/ai');
    expect(response.status).toBe(307);
    expect(directives(response.headers.get('content-security-policy')).get('frame-ancestors')).toEqual([
      "'none'",
    ]);
  });

  it('allows eval and inline styles in development only, and upgrades requests only on https', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const development = directives(through('/').headers.get('content-security-policy'));
    expect(development.get('script-src')).toContain("'unsafe-eval'");
    expect(development.has('upgrade-insecure-requests')).toBe(false);
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('BETTER_AUTH_URL', 'https://app.example.com');
    const production = directives(through('/').headers.get('content-security-policy'));
    expect(production.get('script-src')).not.toContain("'unsafe-eval'");
    expect(production.has('upgrade-insecure-requests')).toBe(true);
  });
});

describe('API responses', () => {
  it('carry a CSP that allows nothing, and no nonce is passed on', () => {
    const response = through('/api/credits');
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(response.headers.get('x-middleware-request-content-security-policy')).toBeNull();
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });
});

describe('Strict-Transport-Security', () => {
  it.each([
    ['production on https', 'production', 'https://app.example.com', 'max-age=31536000'],
    ['production on http', 'production', 'http://127.0.0.1:3000', null],
    ['development', 'development', 'https://app.example.com', null],
  ])('in %s', (_name, nodeEnv, url, expected) => {
    vi.stubEnv('NODE_ENV', nodeEnv);
    vi.stubEnv('BETTER_AUTH_URL', url);
    for (const path of ['/', '/api/credits', '/ai']) {
      expect(through(path).headers.get('strict-transport-security'), path).toBe(expected);
    }
  });
});

describe('where the proxy runs', () => {
  const matches = (path: string) => unstable_doesMiddlewareMatch({ config, url: path });

  it('runs on every page and route, so each gets its headers', () => {
    for (const path of ['/', '/sign-in', '/sign-up', '/ai', '/settings/credits', '/api/auth/sign-in/email']) {
      expect(matches(path), path).toBe(true);
    }
    for (const path of ['/api/webhooks/stripe', '/api/cron/expire-credits', '/nope']) {
      expect(matches(path), path).toBe(true);
    }
  });

  it('skips Next.js’s own static files, which get the static headers from next.config.ts', () => {
    for (const path of ['/_next/static/chunks/main.js', '/_next/image', '/favicon.ico']) {
      expect(matches(path), path).toBe(false);
    }
  });
});

describe('the static headers (next.config.ts)', () => {
  it('are sent on every path, static files included', async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const everywhere = rules.find((rule) => rule.source === '/:path*');
    const sent = Object.fromEntries((everywhere?.headers ?? []).map(({ key, value }) => [key, value]));
    expect(sent).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
    });
    expect(sent['Permissions-Policy']).toMatch(/camera=\(\)/);
    expect(sent['Permissions-Policy']).toMatch(/microphone=\(\)/);
    expect(sent['Permissions-Policy']).toMatch(/geolocation=\(\)/);
    expect(Object.keys(sent)).toEqual(STATIC_SECURITY_HEADERS.map(({ key }) => key));
  });
});
