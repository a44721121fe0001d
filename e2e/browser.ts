import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';

/**
 * Debian's Chromium driven by playwright-core: never a downloaded browser. The flags keep it from
 * reaching for the network (this machine has none) and let it run as root in CI.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * One browser per test file, launched before its tests and closed after them. The function it returns
 * opens a fresh context (no cookies) on the server under test, at desktop size, in a time zone far from
 * UTC so that a date shown in the reader's zone instead of UTC would be caught.
 *
 * Every context watches for Content-Security-Policy violations (Chromium's console messages and the
 * page's `securitypolicyviolation` events), and every test of the file fails if one was reported: the
 * whole suite, every page it visits in both languages, runs under the production CSP.
 */
export function browserForThisFile(): () => Promise<{ context: BrowserContext; page: Page }> {
  let browser: Browser | undefined;
  const violations: string[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(() => {
    const reported = violations.splice(0);
    expect(reported, 'Content-Security-Policy violations').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async () => {
    if (!browser)
      throw new Error('the browser is not running: call browserForThisFile() at the top of the file');
    const context = await browser.newContext({
      baseURL: inject('baseUrl'),
      locale: 'en-US',
      viewport: DESKTOP,
      timezoneId: 'Asia/Shanghai',
      // As the proxy in front of the server would say: each context is its own client, so the auth
      // rate limits (per client address) never mix up this suite's users.
      extraHTTPHeaders: { 'x-forwarded-for': nextClientAddress() },
    });
    await watchContentSecurityPolicy(context, violations);
    return { context, page: await context.newPage() };
  };
}

/**
 * A random address in 198.18.0.0/15 (set aside for benchmarks) per browser context: random rather than
 * counted, because every test file loads this module afresh and a counter would repeat across files.
 */
function nextClientAddress(): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  return `198.${18 + (a % 2)}.${b}.${(c % 254) + 1}`;
}

const CSP_MESSAGE = /Content Security Policy|Content-Security-Policy|csp-violation/i;

/** Collects every CSP violation any page of `context` reports, with the page it happened on. */
async function watchContentSecurityPolicy(context: BrowserContext, into: string[]): Promise<void> {
  // Runs before any script of the page (through the DevTools protocol, which the CSP does not govern).
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `csp-violation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  context.on('console', (message) => {
    if (CSP_MESSAGE.test(message.text())) into.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
  });
}

/** Signs a new user up through the sign-up page and waits for the credits page it leads to. */
export async function signUpInBrowser(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.waitForURL('**/settings/credits', { timeout: 20_000 });
}

export const SCREENSHOT_DIR = path.join(process.cwd(), 'e2e', 'screenshots');

/**
 * Sets the viewport and waits for the page to fit its width; fails naming the elements that stick out
 * if it never does. A page wider than a phone is a layout bug.
 */
export async function expectFitsWidth(page: Page, viewport = DESKTOP): Promise<void> {
  await page.setViewportSize(viewport);
  try {
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, {
      timeout: 5_000,
    });
  } catch {
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map(
          (element) => `<${element.tagName.toLowerCase()} class="${element.getAttribute('class') ?? ''}">`,
        ),
    );
    throw new Error(`${page.url()} is wider than ${viewport.width}px: ${wide.join(', ')}`);
  }
}

/** A full-page screenshot under e2e/screenshots/, at the given viewport, once the page fits it. */
export async function screenshot(page: Page, name: string, viewport = DESKTOP): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await expectFitsWidth(page, viewport);
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
