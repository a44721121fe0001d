import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserForThisFile, screenshot, signUpInBrowser } from './browser';

/**
 * Buying credits, end to end: the buy button opens (fake) Stripe Checkout, paying there sends the
 * signed webhook to the app and returns the buyer to the credits page, where the credits have landed;
 * the billing page lists the payment with its receipt. The fake speaks Stripe's protocol (see
 * tests/support/fake-stripe.ts); the app under test is the production build, unchanged.
 */
const openPage = browserForThisFile();

describe('buying a credit pack', () => {
  it('pays through Stripe Checkout and shows the credits and the payment', async () => {
    const { page } = await openPage();
    await signUpInBrowser(page, `buyer-${randomUUID()}@example.test`, 'a sturdy passphrase 42');
    expect((await page.getByTestId('balance-current').innerText()).trim()).toBe('50');

    await page.getByTestId('pack-starter').getByRole('button').first().click();
    await page.waitForURL(/\/pay\/cs_/, { timeout: 20_000 });
    expect(await page.content()).toContain('$5.00');
    await page.getByRole('button', { name: 'Pay' }).click();

    await page.waitForURL(/\/settings\/credits\?checkout=success/, { timeout: 20_000 });
    await page.getByText('100 credits were added').waitFor({ timeout: 15_000 });
    expect((await page.getByTestId('balance-current').innerText()).trim()).toBe('150');
    const grant = page.locator('tbody tr').filter({ hasText: '+100' }).first();
    await grant.waitFor();
    expect((await grant.innerText()).replace(/\s+/g, ' ')).toContain('Grant');
    await screenshot(page, 'credits-after-purchase');

    await page.goto('/settings/billing');
    const payment = page.locator('tbody tr').first();
    await payment.waitFor();
    const row = (await payment.innerText()).replace(/\s+/g, ' ');
    expect(row).toContain('$5.00');
    expect(row).toContain('Paid');
    expect(row).toMatch(/100 credits/);
    const receipt = payment.getByRole('link', { name: /Receipt/ });
    expect(await receipt.getAttribute('href')).toMatch(/^\/api\/billing\/receipts\/\d+$/);
    await screenshot(page, 'billing-after-purchase');
  });

  it('comes back from a cancelled checkout without charging', async () => {
    const { page } = await openPage();
    await signUpInBrowser(page, `cancel-${randomUUID()}@example.test`, 'a sturdy passphrase 42');
    await page.getByTestId('pack-starter').getByRole('button').first().click();
    await page.waitForURL(/\/pay\/cs_/, { timeout: 20_000 });
    await page.getByRole('link', { name: /Cancel/ }).click();
    await page.waitForURL(/checkout=cancelled/, { timeout: 20_000 });
    await page.getByText('You were not charged').waitFor({ timeout: 15_000 });
    expect((await page.getByTestId('balance-current').innerText()).trim()).toBe('50');
  });
});
