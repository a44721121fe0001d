import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BalanceChart, type ChartPoint, niceCeiling } from '@/components/credits/balance-chart';
import { renderIn } from '../render';

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2026, 10, 1);

function series(balances: number[]): ChartPoint[] {
  return balances.map((balance, index) => ({ day: new Date(FIRST_DAY + index * DAY_MS), balance }));
}

// 30 days: nothing for two days, 50 granted on day 3, down to 35 later.
const balances = [0, 0, ...Array(10).fill(50), ...Array(18).fill(35)];

describe('BalanceChart', () => {
  it('draws one point per day and summarises it in words (en)', async () => {
    await renderIn('en', <BalanceChart points={series(balances)} view={{ range: 30 }} />);
    const line = screen.getByTestId('balance-chart-plot').querySelector('polyline');
    expect(line?.getAttribute('points')?.split(' ')).toHaveLength(30);
    expect(
      screen.getByText(
        'Over the last 30 days your balance went from 0 to 35 credits (lowest 0, highest 50).',
      ),
    ).toBeTruthy();
    // The visible axis says its time zone, like every date in the app.
    expect(screen.getByText('1 Nov 2026 UTC', { selector: 'span' })).toBeTruthy();
    expect(screen.getByText('30 Nov 2026 UTC', { selector: 'span' })).toBeTruthy();
  });

  it('lists every day in an accessible table (zh-CN)', async () => {
    await renderIn('zh-CN', <BalanceChart points={series(balances)} view={{ range: 30 }} />);
    const table = screen.getByRole('table', { name: '最近 30 天每天结束时的余额（UTC）' });
    const dataRows = within(table).getAllByRole('row').slice(1);
    expect(dataRows).toHaveLength(30);
    expect(dataRows[2]?.textContent).toBe('2026年11月3日50');
    expect(screen.getByText('最近 30 天，你的余额从 0 积分变为 35 积分（最低 0，最高 50）。')).toBeTruthy();
    expect(screen.getByText('2026年11月1日 UTC', { selector: 'span' })).toBeTruthy();
    expect(screen.getByText('2026年11月30日 UTC', { selector: 'span' })).toBeTruthy();
  });

  it('puts a higher balance higher on the plot', async () => {
    await renderIn('en', <BalanceChart points={series([10, 40])} view={{ range: 30 }} />);
    const [first, second] = (
      screen.getByTestId('balance-chart-plot').querySelector('polyline')?.getAttribute('points') ?? ''
    )
      .split(' ')
      .map((pair) => Number(pair.split(',')[1]));
    // SVG y grows downwards; the axis tops out at 40 (a round number), so 40 is drawn at the top.
    expect(second).toBe(0);
    expect(first).toBeGreaterThan(second ?? 0);
  });

  it.each([
    ['en', 'No credits in the last 90 days.'],
    ['zh-CN', '最近 90 天没有积分。'],
  ] as const)('shows an empty state instead of a flat line at zero (%s)', async (locale, text) => {
    await renderIn(locale, <BalanceChart points={series(Array(90).fill(0))} view={{ range: 90 }} />);
    expect(screen.getByText(text, { exact: false })).toBeTruthy();
    expect(screen.queryByTestId('balance-chart-plot')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('switches between 30 and 90 days with links that keep the history view', async () => {
    await renderIn(
      'en',
      <BalanceChart points={series(balances)} view={{ range: 30, type: 'GRANT', cursor: 'bzEy' }} />,
    );
    const nav = within(screen.getByRole('navigation', { name: 'Period' }));
    expect(nav.getByRole('link', { name: '30 days' }).getAttribute('aria-current')).toBe('true');
    const ninety = nav.getByRole('link', { name: '90 days' });
    expect(ninety.getAttribute('aria-current')).toBeNull();
    expect(ninety.getAttribute('href')).toBe('/settings/credits?range=90&type=GRANT&cursor=bzEy#chart');
  });
});

describe('niceCeiling', () => {
  it('rounds the axis up to a number whose half is whole', () => {
    expect([1, 2, 3, 5, 9, 11, 50, 58, 100, 101, 12_345].map(niceCeiling)).toEqual([
      2, 2, 4, 6, 10, 20, 60, 60, 100, 200, 20_000,
    ]);
  });
});
