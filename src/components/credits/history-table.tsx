import { useTranslations } from 'next-intl';
import { type HistoryRow, HistoryTableRow, historyColumns } from './history-row';

export type { HistoryRow } from './history-row';

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
  if (rows.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 p-6 text-center text-slate-700">
        {t(filtered ? 'history.emptyFiltered' : 'history.empty')}
      </p>
    );
  }
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">{t('history.caption')}</caption>
      <thead className="hidden border-b border-slate-200 text-slate-600 sm:table-header-group">
        <tr>
          {historyColumns.map((column) => (
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
          <HistoryTableRow key={row.id} row={row} transactionHref={transactionHref} />
        ))}
      </tbody>
    </table>
  );
}
