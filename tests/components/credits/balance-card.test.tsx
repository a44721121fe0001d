import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BalanceCard } from '@/components/credits/balance-card';
import { renderIn } from '../render';

const balance = { current: 12_345, available: 12_345, lifetimeGranted: 20_000, lifetimeConsumed: 7_655 };

describe('BalanceCard', () => {
  it.each([
    ['en', ['Current balance', 'Available now', 'Received in total', 'Used in total']],
    ['zh-CN', ['当前余额', '当前可用', '累计获得', '累计使用']],
  ] as const)('shows the balance and lifetime totals, formatted, in %s', async (locale, labels) => {
    const { container } = await renderIn(locale, <BalanceCard balance={balance} />);
    expect(screen.getByTestId('balance-current').textContent).toBe('12,345');
    expect(screen.getByTestId('balance-available').textContent).toBe('12,345');
    expect(screen.getByTestId('balance-lifetimeGranted').textContent).toBe('20,000');
    expect(screen.getByTestId('balance-lifetimeConsumed').textContent).toBe('7,655');
    for (const label of labels) expect(screen.getByText(label).tagName).toBe('DT');
    // The figures are announced politely when they change.
    expect(
      container.querySelector('[aria-live="polite"]')?.contains(screen.getByTestId('balance-current')),
    ).toBe(true);
  });

  it('explains when credits are due but not yet swept, in both languages', async () => {
    const due = { ...balance, available: 12_325 };
    await renderIn('en', <BalanceCard balance={due} />);
    expect(
      screen.getByText('20 credits have reached their expiry time and will be removed shortly.'),
    ).toBeTruthy();
    await renderIn('zh-CN', <BalanceCard balance={due} />);
    expect(screen.getByText('有 20 积分已到期，将很快被清除。')).toBeTruthy();
  });

  it('says nothing about due credits when all are available', async () => {
    const { container } = await renderIn('en', <BalanceCard balance={balance} />);
    expect(container.textContent).not.toContain('expiry');
  });
});
