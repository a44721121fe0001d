import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserForThisFile, DESKTOP, PHONE, screenshot, signUpInBrowser } from './browser';

/**
 * The journey a person takes, in a real browser against the production build: sign up, find the gift,
 * spend credits on the AI demo, see a failed generation refunded, read it all in Chinese, sign out and
 * back in. Screenshots of the credits page land in e2e/screenshots/.
 */
const openPage = browserForThisFile();

/** The text of the history row whose source label is `label` (the newest such row). */
async function historyRow(page: Page, label: string): Promise<string> {
  const row = page.locator('tbody tr').filter({ hasText: label }).first();
  await row.waitFor({ timeout: 15_000 });
  return (await row.innerText()).replace(/\s+/g, ' ');
}

async function currentBalance(page: Page): Promise<string> {
  return (await page.getByTestId('balance-current').innerText()).trim();
}

async function runPrompt(page: Page, prompt: string, expected: string): Promise<void> {
  await page.goto('/ai');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: /^Generate/ }).click();
  await page.getByTestId('ai-result').getByText(expected).waitFor({ timeout: 15_000 });
}

describe('a new user’s credits, end to end', () => {
  it('signs up, spends, is refunded, switches to Chinese, signs out and back in', async () => {
    const { context, page } = await openPage();
    const email = `e2e-${randomUUID()}@example.test`;
    const password = 'a sturdy passphrase 42';

    // Sign up: the gift is in the history at once.
    await signUpInBrowser(page, email, password);
    const gift = await historyRow(page, 'Welcome gift');
    expect(gift).toContain('Grant');
    expect(gift).toContain('+50');
    expect(gift).toMatch(/UTC/);
    expect(await currentBalance(page)).toBe('50');
    await page.getByTestId('expiring-notice').waitFor();
    expect(await page.getByTestId('expiring-notice').innerText()).toMatch(/50 credits expire on .+ UTC/);

    // Spend on the AI demo: the balance drops by the cost and a CONSUME row appears.
    await runPrompt(page, 'Write a haiku about ledgers', '5 credits were charged.');
    expect(await page.getByTestId('ai-balance').innerText()).toContain('45 credits');
    await page.goto('/settings/credits');
    expect(await currentBalance(page)).toBe('45');
    const spend = await historyRow(page, 'AI request');
    expect(spend).toContain('Spend');
    expect(spend).toMatch(/[−-]5/);

    // A prompt that asks to fail is refunded in full.
    await runPrompt(page, 'Please fail this one', 'The generation failed. 5 credits were refunded.');
    await page.goto('/settings/credits');
    const refund = await historyRow(page, 'Refund for a failed request');
    expect(refund).toContain('+5');
    expect(refund).toMatch(/refund of #\d+/);
    expect(await currentBalance(page)).toBe('45');
    await screenshot(page, 'credits-en-desktop', DESKTOP);
    await screenshot(page, 'credits-en-phone', PHONE);
    await page.setViewportSize(DESKTOP);

    // Switch to Chinese: the same history, in Chinese.
    await page.getByRole('button', { name: '简体中文' }).click();
    await page.getByRole('heading', { level: 1, name: '积分' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await historyRow(page, '注册赠送')).toContain('+50');
    await screenshot(page, 'credits-zh-desktop', DESKTOP);
    await screenshot(page, 'credits-zh-phone', PHONE);
    await page.setViewportSize(DESKTOP);

    // Sign out: the credits page is closed again; sign back in and everything is still there.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL((url) => url.pathname === '/', { timeout: 15_000 });
    await page.goto('/settings/credits');
    await page.waitForURL('**/sign-in?next=%2Fsettings%2Fcredits');
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL('**/settings/credits', { timeout: 20_000 });
    expect(await currentBalance(page)).toBe('45');
    // The gift, two spends and the refund of the failed one.
    expect(await page.locator('tbody tr[id^="transaction-"]').count()).toBe(4);
    await context.close();
  });
});
