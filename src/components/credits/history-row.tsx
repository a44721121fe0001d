import Link from 'next/link';
import { useFormatter, useLocale, useTranslations } from 'next-intl';
import type { CreditTransaction } from '@/db/schema';
import { formatUtcDateTime, signedAmount } from '@/i18n/format';
import { sourceLabel } from './source-label';
import { TypeBadge } from './type-badge';

export type HistoryRow = Pick<
  CreditTransaction,
  | 'id'
  | 'type'
  | 'amount'
  | 'balanceAfter'
  | 'sourceType'
  | 'relatedTransactionId'
  | 'paymentId'
  | 'createdAt'
>;

export const historyColumns = ['time', 'type', 'details', 'amount', 'balanceAfter'] as const;
type HistoryColumn = (typeof historyColumns)[number];

const linkClass = 'font-medium text-indigo-700 underline-offset-2 hover:underline';
const cell = 'px-3 sm:py-3 sm:align-top';

/**
 * One transaction of the history. On phones the header row is hidden and the cells stack, so each cell
 * names its column; from small screens up the labels are hidden and the header names them.
 */
export function HistoryTableRow({
  row,
  transactionHref,
}: {
  row: HistoryRow;
  transactionHref: (id: number) => string;
}) {
  const t = useTranslations('credits');
  const format = useFormatter();
  const locale = useLocale();
  const label = (column: HistoryColumn) => (
    <span className="block text-xs font-medium text-slate-600 sm:hidden">
      {t(`history.columns.${column}`)}
    </span>
  );
  return (
    <tr
      id={`transaction-${row.id}`}
      className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-2 border-b border-slate-200 py-3 last:border-b-0 target:bg-indigo-50 sm:table-row sm:py-0"
    >
      <td className={`${cell} order-4 text-slate-700 whitespace-nowrap`}>
        {label('time')}
        <time dateTime={row.createdAt.toISOString()}>
          {t('dateTime', { date: formatUtcDateTime(row.createdAt, locale) })}
        </time>
      </td>
      <td className={`${cell} order-1`}>
        {label('type')}
        <TypeBadge type={row.type} />
      </td>
      <td className={`${cell} order-3 col-span-2`}>
        {label('details')}
        <span className="font-medium text-slate-900">{sourceLabel(t, row.sourceType)}</span>
        <span className="mt-0.5 flex flex-wrap gap-x-3 text-slate-600">
          <span>{t('history.transaction', { id: row.id })}</span>
          {row.paymentId !== null && (
            <Link className={linkClass} href={`/settings/billing#payment-${row.paymentId}`}>
              {t('history.payment', { id: row.paymentId })}
            </Link>
          )}
          {row.relatedTransactionId !== null && (row.type === 'REFUND' || row.type === 'EXPIRE') && (
            <Link className={linkClass} href={transactionHref(row.relatedTransactionId)}>
              {t(`history.related.${row.type}`, { id: row.relatedTransactionId })}
            </Link>
          )}
        </span>
      </td>
      <td
        className={`${cell} order-2 text-right text-base font-semibold tabular-nums sm:text-sm ${
          row.amount > 0 ? 'text-emerald-800' : 'text-slate-900'
        }`}
      >
        {label('amount')}
        {signedAmount(row.amount, (value) => format.number(value))}
      </td>
      <td className={`${cell} order-5 text-right tabular-nums whitespace-nowrap text-slate-700`}>
        {label('balanceAfter')}
        {format.number(row.balanceAfter)}
      </td>
    </tr>
  );
}
