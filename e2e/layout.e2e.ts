import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { DESKTOP, expectFitsWidth, launchBrowser, newContext, PHONE } from './browser';

/** Every page, signed out and signed in, in both languages, fits a phone's width and a desktop's. */
const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('layout', () => {
  it('fits every page into 390 px and 1280 px, in English and Chinese', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    for (const path of ['/', '/sign-in', '/sign-up']) {
      for (const viewport of [PHONE, DESKTOP]) {
        await page.goto(path);
        await expectFitsWidth(page, viewport);
      }
    }
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(`layout-${randomUUID()}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill('a sturdy passphrase 42');
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await page.waitForURL('**/settings/credits', { timeout: 20_000 });
    for (const language of ['English', '简体中文']) {
      await page.getByRole('button', { name: language, exact: true }).click();
      await page.waitForFunction(
        (lang) => document.documentElement.lang === lang,
        language === 'English' ? 'en' : 'zh-CN',
      );
      for (const path of [
        '/',
        '/settings/credits',
        '/settings/credits?range=90&type=GRANT',
        '/settings/billing',
        '/ai',
      ]) {
        for (const viewport of [PHONE, DESKTOP]) {
          await page.goto(path);
          await expectFitsWidth(page, viewport);
        }
      }
    }
    await context.close();
  });
});
