import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCALE_COOKIE, locales } from '../src/i18n/locales';
import { browserForThisFile, launchBrowser, signUpInBrowser } from './browser';

/**
 * The security headers on every kind of response of the production server, and every page, signed out
 * and signed in, in both languages, under its Content-Security-Policy: browserForThisFile fails the
 * test on any violation Chromium reports, so a script or style the policy blocks is caught here.
 */
const openPage = browserForThisFile();
const baseUrl = inject('baseUrl');
const sql = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });

afterAll(async () => {
  await sql.end();
});

const STATIC_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
};

function expectStaticHeaders(headers: Headers | Record<string, string>, where: string): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  for (const [name, value] of Object.entries(STATIC_HEADERS))
    expect(get(name), `${where}: ${name}`).toBe(value);
  expect(get('permissions-policy'), where).toMatch(/camera=\(\).*microphone=\(\)/);
}

/** The nonce of a page's CSP, after checking the policy is the strict one. */
function pageNonce(policy: string | undefined | null, where: string): string {
  expect(policy, where).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'(;|$)/);
  expect(policy, where).toContain("frame-ancestors 'none'");
  expect(policy, where).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  return /'nonce-([^']+)'/.exec(policy ?? '')?.[1] ?? '';
}

/** Loads `path` and checks its headers and that every script tag of its HTML carries the nonce. */
async function visit(page: Page, path: string): Promise<string> {
  const response = await page.goto(path);
  if (!response) throw new Error(`no response for ${path}`);
  await page.waitForLoadState('load');
  const headers = response.headers();
  expectStaticHeaders(headers, path);
  const nonce = pageNonce(headers['content-security-policy'], path);
  const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, path).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
  return nonce;
}

/** A pending WeChat Pay order of the user, so its QR page (an inline SVG, a polling client) is visited. */
async function pendingWechatOrder(email: string): Promise<string> {
  const outTradeNo = `E2E${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
  await sql`
    INSERT INTO payment (provider, provider_payment_id, user_id, type, scene, amount_minor, currency,
                         status, credits, metadata)
    SELECT 'wechat', ${outTradeNo}, id, 'credit_pack', 'credits_starter', 3500, 'CNY', 'pending', 100,
           ${sql.json({ codeUrl: 'weixin://wxpay/bizpayurl?pr=e2e', expiresAt })}
    FROM "user" WHERE email = ${email}`;
  return outTradeNo;
}

describe('every page under the production CSP', () => {
  it('sends the headers and a fresh nonce, and reports no violation, signed out and in, in both languages', async () => {
    const { context, page } = await openPage();
    const setLanguage = (language: string) =>
      context.addCookies([{ name: LOCALE_COOKIE, value: language, url: baseUrl }]);
    for (const language of locales) {
      await setLanguage(language);
      for (const path of ['/', '/sign-in', '/sign-up', '/sign-in?next=%2Fai', '/no-such-page']) {
        await visit(page, path);
        expect(await page.locator('html').getAttribute('lang'), path).toBe(language);
      }
    }
    // A nonce is never reused.
    expect(await visit(page, '/sign-in')).not.toBe(await visit(page, '/sign-in'));

    const email = `csp-${randomUUID()}@example.test`;
    await setLanguage('en');
    await signUpInBrowser(page, email, 'a sturdy passphrase 42');
    const order = await pendingWechatOrder(email);
    for (const language of locales) {
      await setLanguage(language);
      for (const path of [
        '/',
        '/settings/credits',
        '/settings/credits?range=90&type=GRANT',
        '/settings/credits?checkout=cancelled',
        '/settings/billing',
        '/ai',
        `/settings/credits/pay/${order}`,
      ]) {
        await visit(page, path);
        expect(await page.locator('html').getAttribute('lang'), path).toBe(language);
      }
    }
    // The QR code is drawn (an SVG injected as markup): the policy lets it through.
    expect(await page.locator('svg path').count()).toBeGreaterThan(0);
    await context.close();
  });
});

describe('the headers of every other kind of response', () => {
  it('are on API answers, redirects and static files; a CSP that allows nothing on the API', async () => {
    const home = await (await fetch(baseUrl)).text();
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(home)?.[1];
    expect(chunk).toBeDefined();
    const responses = {
      'GET /api/credits': await fetch(`${baseUrl}/api/credits`),
      'GET /api/auth/get-session': await fetch(`${baseUrl}/api/auth/get-session`),
      'POST /api/ai/generate': await fetch(`${baseUrl}/api/ai/generate`, { method: 'POST' }),
      'GET /settings/credits (redirect)': await fetch(`${baseUrl}/settings/credits`, { redirect: 'manual' }),
      [`GET ${chunk}`]: await fetch(`${baseUrl}${chunk}`),
    };
    for (const [where, response] of Object.entries(responses)) expectStaticHeaders(response.headers, where);
    for (const where of ['GET /api/credits', 'GET /api/auth/get-session', 'POST /api/ai/generate']) {
      expect(responses[where]?.headers.get('content-security-policy'), where).toMatch(
        /^default-src 'none';.*frame-ancestors 'none'/,
      );
    }
    expect(responses['GET /settings/credits (redirect)']?.status).toBe(307);
    pageNonce(
      responses['GET /settings/credits (redirect)']?.headers.get('content-security-policy'),
      'redirect',
    );
    // HSTS only on https: this server is http.
    expect(responses['GET /api/credits']?.headers.get('strict-transport-security')).toBeNull();
  });

  it('keep another site from framing the app', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      // about:blank is another origin; the iframe's load event fires whether its page shows or not.
      await page.setContent(
        `<iframe src="${baseUrl}/sign-in" title="framed" onload="this.dataset.loaded = 'yes'"></iframe>`,
      );
      await page.waitForFunction(() => document.querySelector('iframe')?.dataset.loaded === 'yes');
      // Chromium refused to render the app in the frame and shows its error page there instead.
      expect(page.frames()[1]?.url()).toMatch(/^chrome-error:/);
      const frame = page.frameLocator('iframe');
      expect(await frame.getByLabel('Email').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
