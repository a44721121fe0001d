import { describe, expect, inject, it } from 'vitest';

/**
 * Over real HTTP against the production server: pages that need an account redirect to sign-in (the
 * proxy's cookie check), and a forged cookie that gets past the proxy is stopped by the page's own
 * session check. JSON routes answer 401.
 */
const baseUrl = inject('baseUrl');

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

describe('access without a session', () => {
  it.each(['/settings/credits', '/settings/billing', '/ai', '/settings/credits?type=GRANT'])(
    'redirects %s to sign-in and back',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(307);
      const location = new URL(response.headers.get('location') ?? '', baseUrl);
      expect(location.pathname).toBe('/sign-in');
      expect(location.searchParams.get('next')).toBe(path);
    },
  );

  it('stops a forged session cookie at the page itself: a redirect to sign-in and no data', async () => {
    const response = await get('/settings/credits', 'better-auth.session_token=forged.signature');
    const body = await response.text();
    // The page streams (it has a loading state), so the redirect may arrive inside the stream rather than
    // as a 307; either way nothing of an account is rendered.
    if (response.status === 307) {
      expect(new URL(response.headers.get('location') ?? '', baseUrl).pathname).toBe('/sign-in');
    } else {
      expect(response.status).toBe(200);
      expect(body).toContain('/sign-in?next=%2Fsettings%2Fcredits');
    }
    expect(body).not.toContain('balance-current');
    expect(body).not.toContain('transaction-');
  });

  it.each(['/api/credits', '/api/billing/payments'])('answers 401 on %s', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'UNAUTHENTICATED' });
  });

  it('answers 401 on the AI route', async () => {
    const response = await fetch(`${baseUrl}/api/ai/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello', requestId: crypto.randomUUID() }),
    });
    expect(response.status).toBe(401);
  });

  it('serves the public pages', async () => {
    for (const path of ['/', '/sign-in', '/sign-up']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
    }
  });
});
