import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

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
 */
export function browserForThisFile(): () => Promise<{ context: BrowserContext; page: Page }> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
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
    });
    return { context, page: await context.newPage() };
  };
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
