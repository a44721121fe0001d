import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PortalActionResult } from '@/app/settings/billing/actions';
import type { PortalAction } from '@/components/billing/manage-subscription';
import { PlanCard } from '@/components/billing/plan-card';
import { renderIn } from '../render';

const plan = {
  id: 'pro_monthly',
  periodEnd: new Date('2027-01-05T08:30:00Z'),
  cancelAtPeriodEnd: false,
  status: 'active',
} as const;

const answering = (reason: PortalActionResult['reason']) => {
  const calls: number[] = [];
  const action: PortalAction = async () => {
    calls.push(calls.length + 1);
    return { ok: false, reason };
  };
  return { action, calls };
};

describe('Manage subscription', () => {
  it('is offered when the page says there is a billing account to manage', async () => {
    await renderIn('en', <PlanCard plan={plan} canManage manageAction={answering('NO_CUSTOMER').action} />);
    const button = screen.getByRole('button', { name: 'Manage subscription' });
    expect(button).toHaveAccessibleDescription('Change your card, download invoices or cancel on Stripe.');
    expect(screen.getByRole('status')).toHaveTextContent('');
  });

  it('is called billing details and invoices for a buyer without a subscription', async () => {
    await renderIn(
      'en',
      <PlanCard plan={{ id: 'free' }} canManage manageAction={answering('NO_CUSTOMER').action} />,
    );
    const button = screen.getByRole('button', { name: 'Billing details and invoices' });
    expect(button).toHaveAccessibleDescription('Update your card and download invoices on Stripe.');
    expect(screen.queryByRole('button', { name: 'Manage subscription' })).toBeNull();
  });

  it('is not offered without a billing account (or without Stripe)', async () => {
    const { unmount } = await renderIn(
      'en',
      <PlanCard plan={plan} canManage={false} manageAction={answering('NO_CUSTOMER').action} />,
    );
    expect(screen.queryByRole('button', { name: 'Manage subscription' })).toBeNull();
    unmount();
    await renderIn('en', <PlanCard plan={{ id: 'free' }} />);
    expect(screen.queryByRole('button')).toBeNull();
  });

  it.each([
    ['en', 'NO_CUSTOMER', 'There is nothing to manage yet: this account has no billing record with Stripe.'],
    ['en', 'PROVIDER_UNAVAILABLE', 'The payment provider could not be reached. Try again in a moment.'],
    ['en', 'UNAUTHENTICATED', 'Your session has ended. Sign in again to manage your subscription.'],
    ['zh-CN', 'NO_CUSTOMER', '暂无可管理的内容：此账户在 Stripe 上还没有账单记录。'],
    ['zh-CN', 'PROVIDER_UNAVAILABLE', '无法连接支付服务商。请稍后重试。'],
    ['zh-CN', 'UNAUTHENTICATED', '登录已过期。请重新登录后再管理订阅。'],
  ] as const)('says why the portal could not be opened (%s, %s)', async (locale, reason, message) => {
    const { action, calls } = answering(reason);
    await renderIn(locale, <PlanCard plan={plan} canManage manageAction={action} />);
    await userEvent.click(
      screen.getByRole('button', { name: locale === 'en' ? 'Manage subscription' : '管理订阅' }),
    );
    const status = screen.getByRole('status');
    expect(await within(status).findByText(message)).toBeInTheDocument();
    expect(status).toHaveAttribute('aria-live', 'polite');
    expect(calls).toEqual([1]);
  });
});
