import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type CheckoutOutcome, CheckoutStatus } from '@/components/credits/checkout-status';
import { renderIn } from '../render';

describe('CheckoutStatus', () => {
  it.each([
    ['en', { status: 'paid', credits: 1_000 }, 'Payment received: 1,000 credits were added to your balance.'],
    [
      'en',
      { status: 'processing' },
      'Payment received. Your credits will appear in a moment — refresh this page.',
    ],
    ['en', { status: 'cancelled' }, 'Checkout was cancelled. You were not charged.'],
    ['zh-CN', { status: 'paid', credits: 1_000 }, '付款成功：1,000 积分已加入你的余额。'],
    ['zh-CN', { status: 'processing' }, '付款已收到。积分稍后到账，请刷新此页面。'],
    ['zh-CN', { status: 'cancelled' }, '支付已取消，未产生任何扣费。'],
  ] as const satisfies readonly (readonly [string, CheckoutOutcome, string])[])(
    'says what became of the checkout (%s, %o)',
    async (locale, outcome, message) => {
      await renderIn(locale, <CheckoutStatus outcome={outcome} dismissHref="/settings/credits?range=90" />);
      const status = screen.getByRole('status');
      expect(status).toHaveTextContent(message);
      expect(
        screen.getByRole('link', { name: locale === 'en' ? 'Dismiss this message' : '关闭此提示' }),
      ).toHaveAttribute('href', '/settings/credits?range=90');
    },
  );

  it.each(['en', 'zh-CN'] as const)(
    'shows nothing when the checkout cannot be vouched for (%s)',
    async (locale) => {
      const { container } = await renderIn(
        locale,
        <CheckoutStatus outcome={{ status: 'unknown' }} dismissHref="/settings/credits" />,
      );
      expect(container).toBeEmptyDOMElement();
      expect(screen.queryByRole('status')).toBeNull();
    },
  );
});
