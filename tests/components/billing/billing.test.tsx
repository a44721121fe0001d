import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type PaymentRow, PaymentsTable } from '@/components/billing/payments-table';
import { PlanCard } from '@/components/billing/plan-card';
import { renderIn } from '../render';

const CREATED = new Date('2026-12-22T10:00:00Z');

const rows: PaymentRow[] = [
  {
    id: 12,
    scene: 'credits_starter',
    amountMinor: 500,
    currency: 'USD',
    status: 'paid',
    credits: 100,
    createdAt: CREATED,
  },
  {
    id: 9,
    scene: 'pro_monthly',
    amountMinor: 9_900,
    currency: 'CNY',
    status: 'refunded',
    credits: 1_000,
    createdAt: CREATED,
  },
];

describe('PlanCard', () => {
  it('names the free plan and links to the plans', async () => {
    await renderIn('en', <PlanCard plan={{ id: 'free' }} />);
    expect(screen.getByTestId('plan-name')).toHaveTextContent('Free');
    expect(screen.getByRole('link', { name: 'See plans and credit packs' })).toHaveAttribute(
      'href',
      '/settings/credits#buy',
    );
  });

  it('says when a subscription period ends, in UTC, in English and Chinese', async () => {
    const periodEnd = new Date('2027-01-05T08:30:00Z');
    const { unmount } = await renderIn('en', <PlanCard plan={{ id: 'pro_monthly', periodEnd }} />);
    expect(screen.getByTestId('plan-name')).toHaveTextContent('Pro monthly');
    expect(screen.getByTestId('plan-detail')).toHaveTextContent(
      'Current period ends on 5 Jan 2027, 08:30 UTC',
    );
    expect(screen.getByText('5 Jan 2027, 08:30 UTC', { selector: 'time' })).toHaveAttribute(
      'datetime',
      '2027-01-05T08:30:00.000Z',
    );
    unmount();
    await renderIn('zh-CN', <PlanCard plan={{ id: 'pro_monthly', periodEnd }} />);
    expect(screen.getByTestId('plan-name')).toHaveTextContent('专业版（月付）');
    expect(screen.getByTestId('plan-detail')).toHaveTextContent('当前周期于 2027年1月5日 08:30 UTC 结束');
    expect(screen.getByText('2027年1月5日 08:30 UTC', { selector: 'time' })).toHaveAttribute(
      'datetime',
      '2027-01-05T08:30:00.000Z',
    );
  });

  it.each([
    ['en', 'Yours for good since 1 Mar 2026, 12:00 UTC', '1 Mar 2026, 12:00 UTC'],
    ['zh-CN', '自 2026年3月1日 12:00 UTC 起永久有效', '2026年3月1日 12:00 UTC'],
  ] as const)(
    'says since when a lifetime plan is owned, as a machine-readable time (%s)',
    async (locale, detail, date) => {
      await renderIn(locale, <PlanCard plan={{ id: 'lifetime', since: new Date('2026-03-01T12:00:00Z') }} />);
      expect(screen.getByTestId('plan-detail')).toHaveTextContent(detail);
      expect(screen.getByText(date, { selector: 'time' })).toHaveAttribute(
        'datetime',
        '2026-03-01T12:00:00.000Z',
      );
    },
  );
});

describe('PaymentsTable', () => {
  it('lists each payment with its amount in its own currency, credits, status and UTC time', async () => {
    await renderIn('en', <PaymentsTable rows={rows} nextBefore={null} />);
    const first = document.getElementById('payment-12');
    if (!first) throw new Error('row payment-12 missing');
    const cells = within(first);
    expect(cells.getByText('Credit pack “starter”')).toBeInTheDocument();
    expect(cells.getByText('$5.00')).toBeInTheDocument();
    expect(cells.getByText('100 credits')).toBeInTheDocument();
    expect(cells.getByText('Paid')).toBeInTheDocument();
    expect(cells.getByText('22 Dec 2026, 10:00 UTC', { selector: 'time' })).toHaveAttribute(
      'datetime',
      '2026-12-22T10:00:00.000Z',
    );
    const second = document.getElementById('payment-9');
    if (!second) throw new Error('row payment-9 missing');
    expect(within(second).getByText('CN¥99.00')).toBeInTheDocument();
    expect(within(second).getByText('Refunded')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Older payments' })).toBeNull();
  });

  it('renders in Chinese with Chinese number and date formats', async () => {
    await renderIn('zh-CN', <PaymentsTable rows={rows} nextBefore={7} />);
    expect(screen.getByText('积分包“starter”')).toBeInTheDocument();
    expect(screen.getByText('US$5.00')).toBeInTheDocument();
    expect(screen.getByText('¥99.00')).toBeInTheDocument();
    expect(screen.getByText('1,000 积分')).toBeInTheDocument();
    expect(screen.getByText('已退款')).toBeInTheDocument();
    expect(screen.getAllByText('2026年12月22日 10:00 UTC')).toHaveLength(2);
    expect(screen.getByRole('link', { name: '更早的付款' })).toHaveAttribute(
      'href',
      '/settings/billing?before=7',
    );
  });

  it.each([
    ['en', ['Date', 'Item', 'Amount', 'Credits', 'Status']],
    ['zh-CN', ['日期', '项目', '金额', '积分', '状态']],
  ] as const)(
    'labels every cell for the stacked phone layout, where the header row is hidden (%s)',
    async (locale, labels) => {
      await renderIn(locale, <PaymentsTable rows={rows} nextBefore={null} />);
      expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(labels);
      for (const id of [12, 9]) {
        const cells = document.getElementById(`payment-${id}`)?.querySelectorAll('td') ?? [];
        const inline = Array.from(cells, (cell) => cell.querySelector('span.sm\\:hidden')?.textContent);
        expect(inline, `payment ${id}`).toEqual(labels);
      }
    },
  );

  it('has an empty state', async () => {
    await renderIn('en', <PaymentsTable rows={[]} nextBefore={null} />);
    expect(screen.getByText(/No payments yet/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
