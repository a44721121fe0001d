import type { Request as BrowserRequest, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserForThisFile, signUpInBrowser } from './browser';
import { baseUrl, clientAddress, cookieFrom, postJson, signUpOverHttp } from './http';

/**
 * Over HTTP against the production server: requests from another site change nothing (the JSON routes,
 * the auth endpoints and the server actions, whose Origin check is Next.js's own), sign-out ends the
 * session, the cron secret has one accepted form, and the sign-in limit holds behind the proxy.
 */
const openPage = browserForThisFile();
const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

async function balanceOf(cookie: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/credits`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { balance: { current: number } }).balance.current;
}

const generateBody = () => ({ prompt: 'Explain idempotency keys', requestId: crypto.randomUUID() });

describe('JSON routes and auth endpoints from another site', () => {
  it('refuse the AI route: 403 from another origin, 415 for a body that is not exactly JSON', async () => {
    const user = await signUpOverHttp();
    const fromElsewhere: Record<string, string>[] = [
      EVIL,
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of fromElsewhere) {
      const response = await postJson('/api/ai/generate', generateBody(), {
        cookie: user.cookie,
        ...headers,
      });
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    for (const contentType of ['application/jsonx', 'text/plain', 'application/x-www-form-urlencoded']) {
      const response = await postJson('/api/ai/generate', generateBody(), {
        cookie: user.cookie,
        'content-type': contentType,
      });
      expect(response.status, contentType).toBe(415);
    }
    expect(await balanceOf(user.cookie)).toBe(50);
    // The app's own page is served.
    expect((await postJson('/api/ai/generate', generateBody(), { cookie: user.cookie })).status).toBe(200);
    expect(await balanceOf(user.cookie)).toBe(45);
  });

  it('refuse a sign-out and a sign-in from another site', async () => {
    const user = await signUpOverHttp();
    expect((await postJson('/api/auth/sign-out', {}, { cookie: user.cookie, ...EVIL })).status).toBe(403);
    expect(await balanceOf(user.cookie)).toBe(50);
    const signIn = await postJson('/api/auth/sign-in/email', user, EVIL);
    expect(signIn.status).toBe(403);
    expect(signIn.headers.getSetCookie()).toEqual([]);
  });
});

/** A server action's request as the browser sent it, to replay with another Origin. */
interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function captureAction(page: Page, act: () => Promise<unknown>): Promise<CapturedAction> {
  const sent = new Promise<BrowserRequest>((resolve) => {
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.headers()['next-action']) resolve(request);
    });
  });
  await act();
  const request = await sent;
  const all = await request.allHeaders();
  const keep = ['next-action', 'content-type', 'accept', 'next-router-state-tree', 'cookie'];
  return {
    url: request.url(),
    headers: Object.fromEntries(keep.filter((name) => all[name]).map((name) => [name, all[name] ?? ''])),
    // The forms' fields are text, so the multipart body is too.
    body: request.postData() ?? '',
  };
}

function replay(action: CapturedAction, origin: string): Promise<Response> {
  return fetch(action.url, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...action.headers, origin, 'x-forwarded-for': clientAddress() },
    body: action.body,
  });
}

describe('server actions from another site (Next.js checks their Origin)', () => {
  it('neither switch the language nor start a checkout, while the same requests from the app do', async () => {
    const { page } = await openPage();
    await signUpInBrowser(page, `actions-${crypto.randomUUID()}@example.test`, 'a sturdy passphrase 42');
    const setLocale = await captureAction(page, () => page.getByRole('button', { name: '简体中文' }).click());
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const checkout = await captureAction(page, () =>
      page.getByTestId('pack-starter').getByRole('button').first().click(),
    );
    await page.waitForURL(/\/pay\/cs_/, { timeout: 20_000 });

    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1']) {
      const locale = await replay(setLocale, origin);
      expect(locale.status, origin).toBeGreaterThanOrEqual(400);
      expect(locale.headers.getSetCookie().join(), origin).not.toContain('NEXT_LOCALE');
      // A checkout that ran would answer the URL of a new Stripe Checkout session.
      const buy = await replay(checkout, origin);
      expect(buy.status, origin).toBeGreaterThanOrEqual(400);
      expect(await buy.text(), origin).not.toMatch(/\/pay\/cs_/);
    }

    // The very same requests from the app's own origin do run: the Origin is what stopped them.
    expect((await replay(setLocale, baseUrl)).headers.getSetCookie().join()).toContain('NEXT_LOCALE=zh-CN');
    expect(await (await replay(checkout, baseUrl)).text()).toMatch(/\/pay\/cs_/);
  });
});

describe('signing out', () => {
  it('ends the session: its cookie opens nothing afterwards', async () => {
    const user = await signUpOverHttp();
    expect(await balanceOf(user.cookie)).toBe(50);
    const out = await postJson('/api/auth/sign-out', {}, { cookie: user.cookie });
    expect(out.status).toBe(200);
    expect((await fetch(`${baseUrl}/api/credits`, { headers: { cookie: user.cookie } })).status).toBe(401);
    const page = await fetch(`${baseUrl}/settings/credits`, {
      redirect: 'manual',
      headers: { cookie: user.cookie },
    });
    const body = await page.text();
    expect(body).not.toContain('balance-current');
  });
});

describe('the cron routes', () => {
  const secret = inject('cronSecret');
  it.each([
    ['no header', undefined],
    ['a wrong secret', 'Bearer wrong'],
    [
      'a secret of the same length but different',
      `Bearer ${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`,
    ],
    ['the secret without the scheme', secret],
    ['a lower-case scheme', `bearer ${secret}`],
    ['the secret with a suffix', `Bearer ${secret}x`],
    ['the secret as Basic', `Basic ${secret}`],
  ])('answer 401 to %s', async (_name, authorization) => {
    for (const path of [
      '/api/cron/expire-credits',
      '/api/cron/register-gifts',
      '/api/cron/monthly-credits',
    ]) {
      const response = await fetch(`${baseUrl}${path}?secret=${secret}`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status, path).toBe(401);
    }
  });

  it('run with the secret', async () => {
    const response = await fetch(`${baseUrl}/api/cron/expire-credits`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('the sign-in limit behind the proxy (TRUSTED_PROXY_HOPS=1)', () => {
  const wrongSignIn = (forwardedFor: string) =>
    postJson(
      '/api/auth/sign-in/email',
      { email: `nobody-${crypto.randomUUID()}@example.test`, password: 'a wrong passphrase' },
      { 'x-forwarded-for': forwardedFor },
    );

  it('holds for a client that rotates what it writes into X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 6; n += 1) statuses.push((await wrongSignIn(`192.0.2.${n}, 198.18.200.1`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('never locks out a client because other clients sent multi-entry headers', async () => {
    for (let n = 1; n <= 5; n += 1)
      expect((await wrongSignIn(`192.0.2.1, 198.18.201.${n}`)).status).toBe(401);
    expect((await wrongSignIn('192.0.2.1, 198.18.201.99')).status).toBe(401);
  });

  it('keeps the cookie of a real sign-in working', async () => {
    const user = await signUpOverHttp();
    const response = await postJson('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(response.status).toBe(200);
    expect(await balanceOf(cookieFrom(response))).toBe(50);
  });
});
