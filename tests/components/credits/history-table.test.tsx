import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type HistoryRow, HistoryTable } from '@/components/credits/history-table';
import {
  clawbackSourceTypes,
  consumeSourceTypes,
  expireSourceTypes,
  grantSourceTypes,
  refundSourceTypes,
} from '@/credits/source-types';
import { loadMessages } from '@/i18n/messages';
import { renderIn } from '../render';

const base = { relatedTransactionId: null, paymentId: null };
const rows: HistoryRow[] = [
  {
    ...base,
    id: 15,
    type: 'EXPIRE',
    amount: -20,
    balanceAfter: 130,
    sourceType: 'expiration_cron',
    relatedTransactionId: 10,
    createdAt: new Date('2026-12-22T10:00:00Z'),
  },
  {
    ...base,
    id: 14,
    type: 'REFUND',
    amount: 5,
    balanceAfter: 150,
    sourceType: 'failed_call',
    relatedTransactionId: 13,
    createdAt: new Date('2026-12-01T09:00:30Z'),
  },
  {
    ...base,
    id: 13,
    type: 'CONSUME',
    amount: -5,
    balanceAfter: 145,
    sourceType: 'ai_call',
    createdAt: new Date('2026-12-01T09:00:00Z'),
  },
  {
    ...base,
    id: 12,
    type: 'GRANT',
    amount: 1_000,
    balanceAfter: 1_150,
    sourceType: 'credit_pack',
    paymentId: 7,
    createdAt: new Date('2026-12-01T08:30:00Z'),
  },
];

const row = (id: number) => {
  const element = document.getElementById(`transaction-${id}`);
  if (!element) throw new Error(`no row ${id}`);
  return within(element);
};

describe('HistoryTable', () => {
  it('lists each row with badge, source, signed amount, balance after and UTC time (en)', async () => {
    await renderIn('en', <HistoryTable rows={rows} />);
    expect(screen.getByRole('table', { name: 'Credit transactions, newest first' })).toBeTruthy();
    expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'Time (UTC)',
      'Type',
      'Details',
      'Amount',
      'Balance after',
    ]);
    const grant = row(12);
    expect(grant.getByText('Grant')).toBeTruthy();
    expect(grant.getByText('Credit pack purchase')).toBeTruthy();
    expect(grant.getByText('+1,000')).toBeTruthy();
    expect(grant.getByText('1,150', { exact: false })).toBeTruthy();
    expect(grant.getByText('1 Dec 2026, 08:30 UTC').getAttribute('datetime')).toBe(
      '2026-12-01T08:30:00.000Z',
    );
    expect(grant.getByRole('link', { name: 'Payment #7' }).getAttribute('href')).toBe(
      '/settings/billing#payment-7',
    );

    const consume = row(13);
    expect(consume.getByText('Spend')).toBeTruthy();
    expect(consume.getByText('AI request')).toBeTruthy();
    expect(consume.getByText('−5')).toBeTruthy();
    expect(consume.queryByRole('link')).toBeNull();

    const refund = row(14);
    expect(refund.getByText('Refund')).toBeTruthy();
    expect(refund.getByText('+5')).toBeTruthy();
    expect(refund.getByRole('link', { name: 'refund of #13' }).getAttribute('href')).toBe('#transaction-13');

    const expiry = row(15);
    expect(expiry.getByText('Expiry')).toBeTruthy();
    expect(expiry.getByText('−20')).toBeTruthy();
    expect(expiry.getByText('22 Dec 2026, 10:00 UTC')).toBeTruthy();
    expect(expiry.getByRole('link', { name: 'expiry of #10' }).getAttribute('href')).toBe('#transaction-10');
  });

  it('says the same in Simplified Chinese', async () => {
    await renderIn('zh-CN', <HistoryTable rows={rows} />);
    expect(screen.getByRole('table', { name: '积分交易记录，最新的在前' })).toBeTruthy();
    const grant = row(12);
    expect(grant.getByText('发放')).toBeTruthy();
    expect(grant.getByText('购买积分包')).toBeTruthy();
    expect(grant.getByText('+1,000')).toBeTruthy();
    expect(grant.getByText('2026年12月1日 08:30 UTC')).toBeTruthy();
    expect(grant.getByRole('link', { name: '付款 #7' }).getAttribute('href')).toBe(
      '/settings/billing#payment-7',
    );
    expect(row(13).getByText('消耗')).toBeTruthy();
    expect(row(13).getByText('−5')).toBeTruthy();
    expect(row(14).getByRole('link', { name: '退还 #13' })).toBeTruthy();
    expect(row(15).getByRole('link', { name: '#10 到期' })).toBeTruthy();
  });

  it.each([
    ['en', ['Time (UTC)', 'Type', 'Details', 'Amount', 'Balance after']],
    ['zh-CN', ['时间（UTC）', '类型', '详情', '数量', '变动后余额']],
  ] as const)(
    'labels every cell for the stacked phone layout, where the header row is hidden (%s)',
    async (locale, labels) => {
      await renderIn(locale, <HistoryTable rows={rows} />);
      for (const { id } of rows) {
        const cells = document.getElementById(`transaction-${id}`)?.querySelectorAll('td') ?? [];
        const inline = Array.from(cells, (cell) => cell.querySelector('span.sm\\:hidden')?.textContent);
        expect(inline, `transaction ${id}`).toEqual(labels);
      }
    },
  );

  it('links related rows where the page says they are', async () => {
    await renderIn(
      'en',
      <HistoryTable rows={rows} transactionHref={(id) => `/settings/credits?cursor=c${id}`} />,
    );
    expect(row(14).getByRole('link', { name: 'refund of #13' }).getAttribute('href')).toBe(
      '/settings/credits?cursor=c13',
    );
  });

  it.each(['en', 'zh-CN'] as const)(
    'names every source type in %s, never by its identifier',
    async (locale) => {
      const all = [
        ...grantSourceTypes.map((sourceType) => ['GRANT', sourceType, 1] as const),
        ...consumeSourceTypes.map((sourceType) => ['CONSUME', sourceType, -1] as const),
        ...clawbackSourceTypes.map((sourceType) => ['CONSUME', sourceType, -1] as const),
        ...refundSourceTypes.map((sourceType) => ['REFUND', sourceType, 1] as const),
        ...expireSourceTypes.map((sourceType) => ['EXPIRE', sourceType, -1] as const),
      ];
      const labels = (await loadMessages(locale)).credits.source as Record<string, string>;
      await renderIn(
        locale,
        <HistoryTable
          rows={all.map(([type, sourceType, amount], index) => ({
            ...base,
            id: index + 1,
            type,
            amount,
            balanceAfter: 1,
            sourceType,
            createdAt: new Date('2026-12-01T00:00:00Z'),
          }))}
        />,
      );
      all.forEach(([, sourceType], index) => {
        const label = labels[sourceType];
        expect(label, sourceType).toBeTruthy();
        expect(row(index + 1).getByText(label as string)).toBeTruthy();
        expect(screen.queryByText(sourceType)).toBeNull();
      });
    },
  );

  it.each([
    ['en', 'Refund of a payment', 'Payment disputed', 'Dispute won', 'Payment #7', 'refund of #21'],
    ['zh-CN', '付款退款扣回', '付款争议扣回', '争议胜诉返还', '付款 #7', '退还 #21'],
  ] as const)(
    'links the payment a clawback took credits back for, and what a won dispute gave back (%s)',
    async (locale, refunded, disputed, won, paymentLink, refundOf) => {
      const at = new Date('2026-12-05T00:00:00Z');
      await renderIn(
        locale,
        <HistoryTable
          rows={[
            {
              ...base,
              id: 23,
              type: 'REFUND',
              amount: 40,
              balanceAfter: 100,
              sourceType: 'dispute_won',
              relatedTransactionId: 21,
              createdAt: at,
            },
            {
              ...base,
              id: 22,
              type: 'CONSUME',
              amount: -60,
              balanceAfter: 60,
              sourceType: 'payment_refunded',
              paymentId: 7,
              createdAt: at,
            },
            {
              ...base,
              id: 21,
              type: 'CONSUME',
              amount: -40,
              balanceAfter: 120,
              sourceType: 'payment_disputed',
              paymentId: 7,
              createdAt: at,
            },
          ]}
        />,
      );
      expect(row(22).getByText(refunded)).toBeTruthy();
      expect(row(22).getByRole('link', { name: paymentLink }).getAttribute('href')).toBe(
        '/settings/billing#payment-7',
      );
      expect(row(21).getByText(disputed)).toBeTruthy();
      expect(row(21).getByRole('link', { name: paymentLink }).getAttribute('href')).toBe(
        '/settings/billing#payment-7',
      );
      expect(row(23).getByText(won)).toBeTruthy();
      expect(row(23).getByRole('link', { name: refundOf }).getAttribute('href')).toBe('#transaction-21');
    },
  );

  it('shows a source type without a label by its identifier rather than failing', async () => {
    await renderIn(
      'en',
      <HistoryTable rows={[{ ...base, ...rows[2], id: 99, sourceType: 'video_render' } as HistoryRow]} />,
    );
    expect(row(99).getByText('video_render')).toBeTruthy();
  });

  it.each([
    ['en', false, 'No credit activity yet.'],
    ['zh-CN', false, '还没有积分记录。'],
    ['en', true, 'No transactions of this type yet.'],
    ['zh-CN', true, '还没有这种类型的记录。'],
  ] as const)('has an empty state (%s, filtered: %s)', async (locale, filtered, text) => {
    await renderIn(locale, <HistoryTable rows={[]} filtered={filtered} />);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByText(text, { exact: false })).toBeTruthy();
  });
});
