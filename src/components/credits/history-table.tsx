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

const linkClass = 'font-medium text-indigo-700 underline-offset-2 hover:underline';

/**
 * One page of the credit history: a table from small screens up, a stacked list on phones. Each row
 * says what moved, why, by how much, the balance after and exactly when (UTC), and links the payment
 * that bought it or the transaction it refunds or expires. `transactionHref` locates another row.
 */
export function HistoryTable({
  rows,
  filtered = false,
  transactionHref = (id) => `#transaction-${id}`,
}: {
  rows: HistoryRow[];
  filtered?: boolean;
  transactionHref?: (id: number) => string;
}) {
  const t = useTranslations('credits');
  const format = useFormatter();
  const locale = useLocale();
  if (rows.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 p-6 text-center text-slate-700">
        {t(filtered ? 'history.emptyFiltered' : 'history.empty')}
      </p>
    );
  }
  const cell = 'px-3 sm:py-3 sm:align-top';
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">{t('history.caption')}</caption>
      <thead className="hidden border-b border-slate-200 text-slate-600 sm:table-header-group">
        <tr>
          {(['time', 'type', 'details', 'amount', 'balanceAfter'] as const).map((column) => (
            <th
              key={column}
              scope="col"
              className={`px-3 py-2 font-medium ${column === 'amount' || column === 'balanceAfter' ? 'text-right' : ''}`}
            >
              {t(`history.columns.${column}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.id}
            id={`transaction-${row.id}`}
            className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 border-b border-slate-200 py-3 last:border-b-0 target:bg-indigo-50 sm:table-row sm:py-0"
          >
            <td className={`${cell} order-4 text-slate-700 whitespace-nowrap`}>
              <time dateTime={row.createdAt.toISOString()}>
                {t('dateTime', { date: formatUtcDateTime(row.createdAt, locale) })}
              </time>
            </td>
            <td className={`${cell} order-1`}>
              <TypeBadge type={row.type} />
            </td>
            <td className={`${cell} order-3 col-span-2`}>
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
              {signedAmount(row.amount, (value) => format.number(value))}
            </td>
            <td className={`${cell} order-5 text-right tabular-nums whitespace-nowrap text-slate-700`}>
              <span className="sm:hidden">{t('history.columns.balanceAfter')} </span>
              {format.number(row.balanceAfter)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
