import { siteConfig } from '@site-config';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutAction } from '@/components/credits/buy-button';
import { BuyMore } from '@/components/credits/buy-more';
import type { OfferMethods } from '@/components/credits/buy-offers';
import type { Currency } from '@/i18n/currency';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';

const notConfigured: CheckoutAction = async () => ({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });

function renderBuyMore(
  locale: Locale,
  currency: Currency,
  options: {
    action?: CheckoutAction;
    methods?: OfferMethods;
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
      methods={options.methods ?? { packs: {}, plans: {} }}
      paymentsConfigured={options.paymentsConfigured ?? false}
      checkoutAction={options.action ?? notConfigured}
      currencyAction={options.currencyAction ?? (() => {})}
    />,
  );
}

const card = (testId: string) => within(screen.getByTestId(testId));

/** An action that records each submitted form and answers `result`. */
function recording(result: Awaited<ReturnType<CheckoutAction>>) {
  const submitted: Record<string, string>[] = [];
  const action: CheckoutAction = async (formData) => {
    submitted.push(Object.fromEntries([...formData.entries()].map(([key, value]) => [key, String(value)])));
    return result;
  };
  return { action, submitted };
}

// What the page computes with availableMethods() when Stripe and WeChat Pay are both configured.
const bothInCny: OfferMethods = {
  packs: { starter: ['stripe', 'wechat'], standard: ['stripe', 'wechat'], pro: ['stripe', 'wechat'] },
  plans: { pro_monthly: ['stripe'], pro_yearly: ['stripe'], lifetime: ['stripe', 'wechat'] },
};
const stripeOnly: OfferMethods = {
  packs: { starter: ['stripe'], standard: ['stripe'], pro: ['stripe'] },
  plans: { pro_monthly: ['stripe'], pro_yearly: ['stripe'], lifetime: ['stripe'] },
};

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

describe('BuyMore payment methods', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('offers a button per method when several take the offer, each submitting its method (en, CNY)', async () => {
    const { action, submitted } = recording({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });
    await renderBuyMore('en', 'CNY', { action, methods: bothInCny, paymentsConfigured: true });
    const starter = card('pack-starter');
    const buttons = starter.getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual(['Pay with card', 'WeChat Pay']);
    expect(buttons.map((button) => button.getAttribute('aria-label'))).toEqual([
      'Buy 100 credits for CN¥35.00 (Pay with card)',
      'Buy 100 credits for CN¥35.00 (WeChat Pay)',
    ]);
    await userEvent.click(starter.getByRole('button', { name: 'Buy 100 credits for CN¥35.00 (WeChat Pay)' }));
    await starter.findByText(/Payments are not configured yet/);
    await userEvent.click(
      starter.getByRole('button', { name: 'Buy 100 credits for CN¥35.00 (Pay with card)' }),
    );
    await vi.waitFor(() => expect(submitted).toHaveLength(2));
    expect(submitted).toEqual([
      { kind: 'pack', id: 'starter', currency: 'CNY', method: 'wechat' },
      { kind: 'pack', id: 'starter', currency: 'CNY', method: 'stripe' },
    ]);
    // One live region per offer, however many buttons it has.
    expect(starter.getAllByRole('status')).toHaveLength(1);
  });

  it('keeps a single Buy button for a subscription only Stripe takes, sending its method (CNY)', async () => {
    const { action, submitted } = recording({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });
    await renderBuyMore('en', 'CNY', { action, methods: bothInCny, paymentsConfigured: true });
    for (const id of ['pro_monthly', 'pro_yearly']) {
      expect(
        card(`plan-${id}`)
          .getAllByRole('button')
          .map((button) => button.textContent),
      ).toEqual(['Buy']);
    }
    expect(card('plan-lifetime').getAllByRole('button')).toHaveLength(2);
    await userEvent.click(screen.getByRole('button', { name: 'Buy Pro monthly for CN¥99.00' }));
    await vi.waitFor(() =>
      expect(submitted).toEqual([{ kind: 'plan', id: 'pro_monthly', currency: 'CNY', method: 'stripe' }]),
    );
  });

  it('offers one Buy button per offer in USD, where only Stripe takes payments', async () => {
    const { action, submitted } = recording({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });
    await renderBuyMore('en', 'USD', { action, methods: stripeOnly, paymentsConfigured: true });
    for (const id of [
      'pack-starter',
      'pack-standard',
      'pack-pro',
      'plan-pro_monthly',
      'plan-pro_yearly',
      'plan-lifetime',
    ]) {
      expect(
        card(id)
          .getAllByRole('button')
          .map((button) => button.textContent),
        id,
      ).toEqual(['Buy']);
    }
    expect(screen.queryByText('WeChat Pay')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Buy 100 credits for $5.00' }));
    await vi.waitFor(() =>
      expect(submitted).toEqual([{ kind: 'pack', id: 'starter', currency: 'USD', method: 'stripe' }]),
    );
  });

  it('names the methods in Chinese', async () => {
    await renderBuyMore('zh-CN', 'CNY', { methods: bothInCny, paymentsConfigured: true });
    const starter = card('pack-starter');
    expect(starter.getByRole('button', { name: '以 ¥35.00 购买 100 积分（银行卡支付）' })).toHaveTextContent(
      '银行卡支付',
    );
    expect(starter.getByRole('button', { name: '以 ¥35.00 购买 100 积分（微信支付）' })).toHaveTextContent(
      '微信支付',
    );
  });

  it.each([
    ['en', 'The payment provider could not be reached. Nothing was charged; try again.'],
    ['zh-CN', '无法连接支付服务商。未产生任何扣费，请重试。'],
  ] as const)('says when the payment provider could not be reached (%s)', async (locale, message) => {
    const { action } = recording({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    await renderBuyMore(locale, 'CNY', { action, methods: bothInCny, paymentsConfigured: true });
    const lifetime = card('plan-lifetime');
    await userEvent.click(lifetime.getAllByRole('button')[1] as HTMLElement);
    expect(await within(lifetime.getByRole('status')).findByText(message)).toBeTruthy();
    expect(card('pack-starter').getByRole('status').textContent).toBe('');
  });

  it('says which button is starting checkout while the action runs, and disables the others', async () => {
    let answer: (result: Awaited<ReturnType<CheckoutAction>>) => void = () => {};
    const action: CheckoutAction = () =>
      new Promise((resolve) => {
        answer = resolve;
      });
    await renderBuyMore('en', 'CNY', { action, methods: bothInCny, paymentsConfigured: true });
    const starter = card('pack-starter');
    await userEvent.click(starter.getByRole('button', { name: 'Buy 100 credits for CN¥35.00 (WeChat Pay)' }));
    try {
      await vi.waitFor(() =>
        expect(starter.getAllByRole('button').map((button) => button.textContent)).toEqual([
          'Pay with card',
          'Starting checkout…',
        ]),
      );
      expect(starter.getAllByRole('button').every((button) => button.hasAttribute('disabled'))).toBe(true);
    } finally {
      // A transition left pending would hold up the next test's actions too.
      answer({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    }
    await starter.findByText(/could not be reached/);
    expect(starter.getAllByRole('button').map((button) => button.textContent)).toEqual([
      'Pay with card',
      'WeChat Pay',
    ]);
    expect(starter.getAllByRole('button').some((button) => button.hasAttribute('disabled'))).toBe(false);
  });

  it('goes where the action answered: the WeChat Pay QR page of the order', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    const { action } = recording({ ok: true, redirectUrl: '/settings/credits/pay/CR20261222ABC' });
    await renderBuyMore('en', 'CNY', { action, methods: bothInCny, paymentsConfigured: true });
    await userEvent.click(screen.getByRole('button', { name: 'Buy 100 credits for CN¥35.00 (WeChat Pay)' }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('/settings/credits/pay/CR20261222ABC'));
    expect(card('pack-starter').getByRole('status')).toHaveTextContent('Taking you to checkout…');
  });
});
