import { randomUUID } from 'node:crypto';
import { siteConfig } from '@site-config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as generatePost } from '@/app/api/ai/generate/route';
import { POST as authPost } from '@/app/api/auth/[...all]/route';
import { getCreditBalance } from '@/credits';
import { getSql } from '@/db';
import { isJsonMediaType } from '@/lib/http';
import { freshIp, ORIGIN, sessionUserId, signUp } from '../http';

/**
 * Every state-changing route the app owns refuses a request another site's page made, before it does
 * anything, and reads only bodies that are exactly JSON. (Server actions: Next.js's own Origin check,
 * exercised against the production build in e2e/security-http.e2e.ts. Webhooks are authenticated by
 * their signatures and are tested with the payment providers.)
 */
afterEach(() => {
  vi.unstubAllEnvs();
});

const GIFT = siteConfig.credits.registerGift.amount;
const COST = siteConfig.credits.costs.aiDemo;

/** What a browser adds to a request from a page of `site` (its Origin and Sec-Fetch-Site). */
const FROM = {
  'another site': { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  'a sibling subdomain': { origin: 'https://evil.app.example.com', 'sec-fetch-site': 'same-site' },
  'a sandboxed frame': { origin: 'null', 'sec-fetch-site': 'cross-site' },
  'another site, Origin only': { origin: 'https://evil.example' },
  'another site, Sec-Fetch-Site only': { 'sec-fetch-site': 'cross-site' },
  'another port of this host': { origin: 'http://localhost:3001' },
} as const;

function generate(cookie: string, headers: Record<string, string>): Promise<Response> {
  return generatePost(
    new Request(`${ORIGIN}/api/ai/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-forwarded-for': freshIp(), ...headers },
      body: JSON.stringify({ prompt: 'Explain idempotency keys', requestId: randomUUID() }),
    }),
  );
}

function auth(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return authPost(
    new Request(`${ORIGIN}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp(), ...headers },
      body: JSON.stringify(body),
    }),
  );
}

async function usersWithEmail(email: string): Promise<number> {
  const [row] = await getSql()<{ n: string }[]>`SELECT count(*) AS n FROM "user" WHERE email = ${email}`;
  return Number(row?.n);
}

describe('POST /api/ai/generate from another site', () => {
  it.each(Object.entries(FROM))(
    'refuses a request from %s with 403 and charges nothing',
    async (_, headers) => {
      const { userId, cookie } = await signUp();
      const response = await generate(cookie, headers);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: 'CROSS_SITE_REQUEST' });
      expect((await getCreditBalance(userId)).current).toBe(GIFT);
    },
  );

  it('serves the app’s own pages, and clients that are not browsers (no Origin, no Sec-Fetch-Site)', async () => {
    const { userId, cookie } = await signUp();
    expect((await generate(cookie, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await generate(cookie, {})).status).toBe(200);
    expect((await getCreditBalance(userId)).current).toBe(GIFT - 2 * COST);
  });

  it('without BETTER_AUTH_URL, takes the app’s origin from the Host header too (next dev)', async () => {
    const { cookie } = await signUp();
    // `next dev` on 127.0.0.1 builds the request URL with localhost; the browser's Origin follows Host.
    const own = { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' };
    expect((await generate(cookie, own)).status).toBe(200);
    expect((await generate(cookie, { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3001' })).status).toBe(
      403,
    );
  });

  it('takes the app’s origin from BETTER_AUTH_URL when it is set', async () => {
    const { cookie } = await signUp();
    vi.stubEnv('BETTER_AUTH_URL', 'https://app.example.com');
    expect((await generate(cookie, { origin: ORIGIN })).status).toBe(403);
    expect((await generate(cookie, { origin: 'https://app.example.com' })).status).toBe(200);
  });
});

describe('POST /api/ai/generate reads JSON only', () => {
  it.each([
    'application/jsonx',
    'application/json-patch+json',
    'application/x-json',
    'text/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json/x',
  ])('answers 415 to %j and charges nothing', async (contentType) => {
    const { userId, cookie } = await signUp();
    const response = await generate(cookie, { 'content-type': contentType });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'UNSUPPORTED_MEDIA_TYPE' });
    expect((await getCreditBalance(userId)).current).toBe(GIFT);
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json ; charset="UTF-8"'])(
    'accepts %j',
    async (contentType) => {
      const { cookie } = await signUp();
      expect((await generate(cookie, { 'content-type': contentType })).status).toBe(200);
    },
  );

  it('matches the media type exactly, parameters aside', () => {
    expect(isJsonMediaType(null)).toBe(false);
    expect(isJsonMediaType('')).toBe(false);
    expect(isJsonMediaType('application/json')).toBe(true);
    expect(isJsonMediaType(' application/json;charset=utf-8')).toBe(true);
    expect(isJsonMediaType('application/jsonp')).toBe(false);
  });
});

describe('the auth endpoints from another site', () => {
  it.each(Object.entries(FROM))('refuse a sign-up from %s and create no account', async (_, headers) => {
    const email = `csrf-${randomUUID()}@example.test`;
    const response = await auth(
      '/sign-up/email',
      { email, password: 'a sturdy passphrase 42', name: 'x' },
      headers,
    );
    expect(response.status).toBe(403);
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('refuse a sign-in from another site (login CSRF) and set no cookie', async () => {
    const { email, password } = await signUp();
    const response = await auth('/sign-in/email', { email, password }, FROM['another site']);
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('refuse a sign-out from another site: the session stays', async () => {
    const { userId, cookie } = await signUp();
    const response = await auth('/sign-out', {}, { ...FROM['another site'], cookie });
    expect(response.status).toBe(403);
    expect(await sessionUserId(cookie)).toBe(userId);
  });

  it('refuse a form post (no preflight needed) with 415, creating nothing', async () => {
    const email = `form-${randomUUID()}@example.test`;
    const response = await authPost(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': freshIp() },
        body: new URLSearchParams({ email, password: 'a sturdy passphrase 42', name: 'x' }).toString(),
      }),
    );
    expect(response.status).toBe(415);
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('serve the app’s own sign-in form', async () => {
    const { email, password } = await signUp();
    const response = await auth(
      '/sign-in/email',
      { email, password },
      { origin: ORIGIN, 'sec-fetch-site': 'same-origin' },
    );
    expect(response.status).toBe(200);
  });
});
