import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { browserForThisFile, DESKTOP, expectFitsWidth, PHONE, signUpInBrowser } from './browser';

/** Every page, signed out and signed in, in both languages, fits a phone's width and a desktop's. */
const openPage = browserForThisFile();

describe('layout', () => {
  it('fits every page into 390 px and 1280 px, in English and Chinese', async () => {
    const { context, page } = await openPage();
    for (const path of ['/', '/sign-in', '/sign-up']) {
      for (const viewport of [PHONE, DESKTOP]) {
        await page.goto(path);
        await expectFitsWidth(page, viewport);
      }
    }
    await signUpInBrowser(page, `layout-${randomUUID()}@example.test`, 'a sturdy passphrase 42');
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
