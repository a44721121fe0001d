import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { hasReceipt, type PaymentRow, PaymentsTable } from '@/components/billing/payments-table';
import { PlanCard } from '@/components/billing/plan-card';
import { paymentStatuses } from '@/db/schema';
import { renderIn } from '../render';

const CREATED = new Date('2026-12-22T10:00:00Z');

const payment = (overrides: Partial<PaymentRow> & Pick<PaymentRow, 'id'>): PaymentRow => ({
  provider: 'stripe',
  scene: 'credits_starter',
  amountMinor: 500,
  refundedMinor: 0,
  currency: 'USD',
  status: 'paid',
  credits: 100,
  createdAt: CREATED,
  ...overrides,
});

const rows: PaymentRow[] = [
  payment({ id: 12 }),
  payment({
    id: 9,
    provider: 'wechat',
    scene: 'pro_monthly',
    amountMinor: 9_900,
    refundedMinor: 9_900,
    currency: 'CNY',
    status: 'refunded',
    credits: 1_000,
  }),
];

const paymentRow = (id: number) => {
  const element = document.getElementById(`payment-${id}`);
  if (!element) throw new Error(`row payment-${id} missing`);
  return within(element);
};

describe('PlanCard', () => {
  it('names the free plan and links to the plans', async () => {
    await renderIn('en', <PlanCard plan={{ id: 'free' }} />);
    expect(screen.getByTestId('plan-name')).toHaveTextContent('Free');
    expect(screen.getByRole('link', { name: 'See plans and credit packs' })).toHaveAttribute(
      'href',
      '/settings/credits#buy',
    );
  });

  const periodEnd = new Date('2027-01-05T08:30:00Z');
  const pro = { id: 'pro_monthly', periodEnd, cancelAtPeriodEnd: false, status: 'active' } as const;

  it.each([
    ['en', false, 'Pro monthly', 'Renews on 5 Jan 2027, 08:30 UTC', '5 Jan 2027, 08:30 UTC'],
    ['en', true, 'Pro monthly', 'Ends on 5 Jan 2027, 08:30 UTC (will not renew)', '5 Jan 2027, 08:30 UTC'],
    ['zh-CN', false, '专业版（月付）', '将于 2027年1月5日 08:30 UTC 自动续费', '2027年1月5日 08:30 UTC'],
    [
      'zh-CN',
      true,
      '专业版（月付）',
      '将于 2027年1月5日 08:30 UTC 结束（不再续费）',
      '2027年1月5日 08:30 UTC',
    ],
  ] as const)(
    'says when a subscription renews or ends, in UTC (%s, cancelAtPeriodEnd: %s)',
    async (locale, cancelAtPeriodEnd, name, detail, date) => {
      await renderIn(locale, <PlanCard plan={{ ...pro, cancelAtPeriodEnd }} />);
      expect(screen.getByTestId('plan-name')).toHaveTextContent(name);
      expect(screen.getByTestId('plan-detail')).toHaveTextContent(detail);
      expect(screen.getByText(date, { selector: 'time' })).toHaveAttribute(
        'datetime',
        '2027-01-05T08:30:00.000Z',
      );
      expect(screen.queryByTestId('plan-past-due')).toBeNull();
    },
  );

  it('shows no date line when the period end is not known', async () => {
    await renderIn('en', <PlanCard plan={{ ...pro, id: 'pro_yearly', periodEnd: null }} />);
    expect(screen.getByTestId('plan-name')).toHaveTextContent('Pro yearly');
    expect(screen.queryByTestId('plan-detail')).toBeNull();
    expect(document.querySelector('time')).toBeNull();
  });

  it.each([
    ['en', 'Your last renewal payment failed; Stripe will retry. Update your card in Manage subscription.'],
    ['zh-CN', '上次续费扣款失败，Stripe 会自动重试。请在“管理订阅”中更新你的银行卡。'],
  ] as const)('warns when the last renewal failed (past_due, %s)', async (locale, notice) => {
    await renderIn(locale, <PlanCard plan={{ ...pro, status: 'past_due' }} />);
    expect(screen.getByTestId('plan-past-due')).toHaveTextContent(notice);
    // The plan is still on, so its renewal date still shows.
    expect(screen.getByTestId('plan-detail')).toBeInTheDocument();
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
  it('lists each payment with its provider, amount in its own currency, credits, status and UTC time', async () => {
    await renderIn('en', <PaymentsTable rows={rows} nextBefore={null} />);
    const first = paymentRow(12);
    expect(first.getByText('Credit pack “starter”')).toBeInTheDocument();
    expect(first.getByText('Card (Stripe)')).toBeInTheDocument();
    expect(first.getByText('$5.00')).toBeInTheDocument();
    expect(first.queryByText(/refunded/)).toBeNull();
    expect(first.getByText('100 credits')).toBeInTheDocument();
    expect(first.getByText('Paid')).toBeInTheDocument();
    expect(first.getByText('22 Dec 2026, 10:00 UTC', { selector: 'time' })).toHaveAttribute(
      'datetime',
      '2026-12-22T10:00:00.000Z',
    );
    const second = paymentRow(9);
    expect(second.getByText('WeChat Pay')).toBeInTheDocument();
    expect(second.getByText('CN¥99.00')).toBeInTheDocument();
    expect(second.getByText('CN¥99.00 refunded')).toBeInTheDocument();
    expect(second.getByText('Refunded')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Older payments' })).toBeNull();
  });

  it('renders in Chinese with Chinese number and date formats', async () => {
    await renderIn('zh-CN', <PaymentsTable rows={rows} nextBefore={7} />);
    expect(screen.getByText('积分包“starter”')).toBeInTheDocument();
    expect(screen.getByText('银行卡（Stripe）')).toBeInTheDocument();
    expect(screen.getByText('微信支付')).toBeInTheDocument();
    expect(screen.getByText('US$5.00')).toBeInTheDocument();
    expect(screen.getByText('¥99.00')).toBeInTheDocument();
    expect(screen.getByText('已退款 ¥99.00')).toBeInTheDocument();
    expect(screen.getByText('1,000 积分')).toBeInTheDocument();
    expect(screen.getByText('已退款')).toBeInTheDocument();
    expect(screen.getAllByText('2026年12月22日 10:00 UTC')).toHaveLength(2);
    expect(screen.getByRole('link', { name: '更早的付款' })).toHaveAttribute(
      'href',
      '/settings/billing?before=7',
    );
  });

  it('shows a partial refund beside the amount paid', async () => {
    await renderIn(
      'en',
      <PaymentsTable
        rows={[payment({ id: 3, amountMinor: 2_000, refundedMinor: 750, status: 'partially_refunded' })]}
        nextBefore={null}
      />,
    );
    expect(paymentRow(3).getByText('$20.00')).toBeInTheDocument();
    expect(paymentRow(3).getByText('$7.50 refunded')).toBeInTheDocument();
    expect(paymentRow(3).getByText('Partially refunded')).toBeInTheDocument();
  });

  const labels = {
    en: {
      pending: 'Pending',
      paid: 'Paid',
      partially_refunded: 'Partially refunded',
      refunded: 'Refunded',
      disputed: 'Disputed',
      dispute_lost: 'Chargeback',
      needs_attention: 'Needs attention',
      expired: 'Expired',
      failed: 'Failed',
    },
    'zh-CN': {
      pending: '待支付',
      paid: '已支付',
      partially_refunded: '部分退款',
      refunded: '已退款',
      disputed: '争议中',
      dispute_lost: '争议败诉',
      needs_attention: '待处理',
      expired: '已过期',
      failed: '支付失败',
    },
  } as const;

  it.each(['en', 'zh-CN'] as const)('has a badge for every payment status (%s)', async (locale) => {
    expect(Object.keys(labels[locale]).sort()).toEqual([...paymentStatuses].sort());
    const all = paymentStatuses.map((status, index) => payment({ id: index + 1, status }));
    await renderIn(locale, <PaymentsTable rows={all} nextBefore={null} />);
    paymentStatuses.forEach((status, index) => {
      const badge = paymentRow(index + 1).getByText(labels[locale][status]);
      expect(badge.className, status).toMatch(/rounded-full/);
      expect(screen.queryByText(status)).toBeNull();
    });
  });

  it('links the receipt of Stripe payments that went through, in a new tab, and of nothing else', async () => {
    const stripeRows = paymentStatuses.map((status, index) => payment({ id: index + 1, status }));
    const wechatRows = paymentStatuses.map((status, index) =>
      payment({ id: 100 + index, provider: 'wechat', currency: 'CNY', status }),
    );
    await renderIn('en', <PaymentsTable rows={[...stripeRows, ...wechatRows]} nextBefore={null} />);
    const withReceipt = [
      'paid',
      'partially_refunded',
      'refunded',
      'disputed',
      'dispute_lost',
      'needs_attention',
    ];
    for (const row of stripeRows) {
      const link = paymentRow(row.id).queryByRole('link', { name: 'Receipt (opens in a new tab)' });
      if (withReceipt.includes(row.status)) {
        expect(link, row.status).toHaveAttribute('href', `/api/billing/receipts/${row.id}`);
        expect(link).toHaveAttribute('target', '_blank');
        expect(link?.getAttribute('rel')).toContain('noopener');
      } else {
        expect(link, row.status).toBeNull();
      }
    }
    for (const row of wechatRows) {
      expect(paymentRow(row.id).queryByRole('link'), `wechat ${row.status}`).toBeNull();
    }
    expect(screen.getAllByRole('link', { name: 'Receipt (opens in a new tab)' })).toHaveLength(
      withReceipt.length,
    );
    expect(paymentStatuses.filter((status) => hasReceipt({ provider: 'stripe', status }))).toEqual(
      withReceipt,
    );
  });

  it('names the receipt link in Chinese', async () => {
    await renderIn('zh-CN', <PaymentsTable rows={rows} nextBefore={null} />);
    expect(paymentRow(12).getByRole('link', { name: '收据（在新标签页中打开）' })).toHaveAttribute(
      'href',
      '/api/billing/receipts/12',
    );
  });

  it.each([
    ['en', ['Date', 'Item', 'Method', 'Amount', 'Credits', 'Status', 'Receipt']],
    ['zh-CN', ['日期', '项目', '支付方式', '金额', '积分', '状态', '收据']],
  ] as const)(
    'labels every cell for the stacked phone layout, where the header row is hidden (%s)',
    async (locale, headers) => {
      await renderIn(locale, <PaymentsTable rows={rows} nextBefore={null} />);
      expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(headers);
      for (const id of [12, 9]) {
        const cells = Array.from(document.getElementById(`payment-${id}`)?.querySelectorAll('td') ?? []);
        expect(cells).toHaveLength(headers.length);
        const inline = cells.map((cell) => cell.querySelector('span.sm\\:hidden')?.textContent);
        // The receipt cell's link names itself; without a receipt the cell is hidden on phones.
        expect(inline, `payment ${id}`).toEqual([...headers.slice(0, -1), undefined]);
      }
      expect(paymentRow(12).getAllByRole('cell').at(-1)?.className).not.toContain('max-sm:hidden');
      expect(paymentRow(9).getAllByRole('cell').at(-1)?.className).toContain('max-sm:hidden');
    },
  );

  it('has an empty state', async () => {
    await renderIn('en', <PaymentsTable rows={[]} nextBefore={null} />);
    expect(screen.getByText(/No payments yet/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
