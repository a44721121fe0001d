import { siteConfig } from '@site-config';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { CheckoutAction } from '@/components/credits/buy-button';
import { BuyMore } from '@/components/credits/buy-more';
import type { Currency } from '@/i18n/currency';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';

const notConfigured: CheckoutAction = async () => ({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });

function renderBuyMore(
  locale: Locale,
  currency: Currency,
  options: {
    action?: CheckoutAction;
    paymentsConfigured?: boolean;
    currencyAction?: (formData: FormData) => void;
  } = {},
) {
  return renderIn(
    locale,
    <BuyMore
      packs={siteConfig.credits.packs}
      plans={siteConfig.credits.plans}
      currency={currency}
      paymentsConfigured={options.paymentsConfigured ?? false}
      checkoutAction={options.action ?? notConfigured}
      currencyAction={options.currencyAction ?? (() => {})}
    />,
  );
}

const card = (testId: string) => within(screen.getByTestId(testId));

describe('BuyMore', () => {
  it.each([
    ['en', 'USD', ['$5.00', '$20.00', '$60.00'], ['$15.00', '$150.00', '$299.00']],
    ['en', 'CNY', ['CN¥35.00', 'CN¥140.00', 'CN¥420.00'], ['CN¥99.00', 'CN¥999.00', 'CN¥1,999.00']],
    ['zh-CN', 'CNY', ['¥35.00', '¥140.00', '¥420.00'], ['¥99.00', '¥999.00', '¥1,999.00']],
    ['zh-CN', 'USD', ['US$5.00', 'US$20.00', 'US$60.00'], ['US$15.00', 'US$150.00', 'US$299.00']],
  ] as const)(
    'prices packs and plans per locale (%s, %s)',
    async (locale, currency, packPrices, planPrices) => {
      await renderBuyMore(locale, currency);
      expect(
        ['starter', 'standard', 'pro'].map((id) => card(`pack-${id}`).getByText(/\d\.\d\d$/).textContent),
      ).toEqual(packPrices);
      expect(
        ['pro_monthly', 'pro_yearly', 'lifetime'].map(
          (id) => card(`plan-${id}`).getByText(/\d\.\d\d$/).textContent,
        ),
      ).toEqual(planPrices);
    },
  );

  it('describes what each offer brings (en)', async () => {
    await renderBuyMore('en', 'USD');
    expect(card('pack-starter').getByText('100 credits')).toBeTruthy();
    expect(card('pack-starter').getByText('Valid for 365 days')).toBeTruthy();
    expect(card('pack-pro').getByText('Never expires')).toBeTruthy();
    expect(card('plan-pro_monthly').getByText('1,000 credits every month')).toBeTruthy();
    expect(card('plan-pro_yearly').getByText('12,000 credits every year')).toBeTruthy();
    expect(card('plan-lifetime').getByText('5,000 credits now, then 500 every month')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Buy more credits' }).id).toBe('buy');
  });

  it('describes what each offer brings (zh-CN)', async () => {
    await renderBuyMore('zh-CN', 'CNY');
    expect(card('pack-starter').getByText('100 积分')).toBeTruthy();
    expect(card('pack-starter').getByText('有效期 365 天')).toBeTruthy();
    expect(card('plan-pro_monthly').getByText('每月 1,000 积分')).toBeTruthy();
    expect(card('plan-lifetime').getByText('立即获得 5,000 积分，之后每月 500 积分')).toBeTruthy();
  });

  it('says up front that payments are not set up, and not once they are', async () => {
    const { unmount } = await renderBuyMore('en', 'USD');
    expect(screen.getByText(/Payments are not set up yet/)).toBeTruthy();
    unmount();
    await renderBuyMore('en', 'USD', { paymentsConfigured: true });
    expect(screen.queryByText(/Payments are not set up yet/)).toBeNull();
  });

  it('submits the product and currency and announces that payments are not configured (en)', async () => {
    const submitted: Record<string, string>[] = [];
    const action: CheckoutAction = async (formData) => {
      submitted.push(Object.fromEntries([...formData.entries()].map(([key, value]) => [key, String(value)])));
      return { ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' };
    };
    await renderBuyMore('en', 'CNY', { action });
    await userEvent.click(screen.getByRole('button', { name: 'Buy 100 credits for CN¥35.00' }));
    const status = card('pack-starter').getByRole('status');
    expect(await within(status).findByText(/Payments are not configured yet/)).toBeTruthy();
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(submitted).toEqual([{ kind: 'pack', id: 'starter', currency: 'CNY' }]);
    // Only the clicked offer speaks.
    expect(card('pack-standard').getByRole('status').textContent).toBe('');
  });

  it('announces the outcome of a plan purchase in Chinese', async () => {
    await renderBuyMore('zh-CN', 'USD');
    await userEvent.click(screen.getByRole('button', { name: '以 US$15.00 购买专业版（月付）' }));
    expect(
      await card('plan-pro_monthly').findByText('尚未配置支付方式，暂时无法购买。未产生任何扣费。'),
    ).toBeTruthy();
  });

  it('asks to sign in again when the session has ended', async () => {
    await renderBuyMore('en', 'USD', { action: async () => ({ ok: false, reason: 'UNAUTHENTICATED' }) });
    await userEvent.click(screen.getByRole('button', { name: 'Buy Lifetime for $299.00' }));
    expect(await card('plan-lifetime').findByText(/Sign in again/)).toBeTruthy();
  });

  it('shows the current currency as pressed in the switcher', async () => {
    await renderBuyMore('zh-CN', 'CNY');
    const group = within(screen.getByRole('group', { name: '币种' }));
    expect(group.getByRole('button', { name: '人民币' }).getAttribute('aria-pressed')).toBe('true');
    expect(group.getByRole('button', { name: '美元' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('submits the chosen currency to the currency action', async () => {
    const chosen: unknown[] = [];
    await renderBuyMore('en', 'USD', {
      currencyAction: (formData) => void chosen.push(formData.get('currency')),
    });
    await userEvent.click(screen.getByRole('button', { name: 'CNY' }));
    await vi.waitFor(() => expect(chosen).toEqual(['CNY']));
  });
});
