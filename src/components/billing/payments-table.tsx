import Link from 'next/link';
import { useFormatter, useLocale, useTranslations } from 'next-intl';
import type { Payment } from '@/db/schema';
import { formatMoney, formatUtcDateTime } from '@/i18n/format';

const STATUS_STYLES: Record<Payment['status'], string> = {
  pending: 'bg-amber-100 text-amber-900',
  paid: 'bg-emerald-100 text-emerald-900',
  partially_refunded: 'bg-sky-100 text-sky-900',
  refunded: 'bg-slate-200 text-slate-800',
  disputed: 'bg-rose-100 text-rose-900',
  dispute_lost: 'bg-rose-200 text-rose-950',
  needs_attention: 'bg-rose-100 text-rose-900',
  expired: 'bg-slate-100 text-slate-700',
  failed: 'bg-slate-200 text-slate-800',
};

const columns = ['date', 'item', 'method', 'amount', 'credits', 'status', 'receipt'] as const;
type Column = (typeof columns)[number];

/** Payments Stripe has no receipt for: never paid. WeChat Pay sends its own notice inside WeChat. */
const NO_RECEIPT: ReadonlySet<Payment['status']> = new Set(['pending', 'expired', 'failed']);

export type PaymentRow = Pick<
  Payment,
  | 'id'
  | 'provider'
  | 'scene'
  | 'amountMinor'
  | 'refundedMinor'
  | 'currency'
  | 'status'
  | 'credits'
  | 'createdAt'
>;

/** Whether the provider has a receipt for the payment, served through /api/billing/receipts/<id>. */
export function hasReceipt(row: Pick<PaymentRow, 'provider' | 'status'>): boolean {
  return row.provider === 'stripe' && !NO_RECEIPT.has(row.status);
}

/**
 * A user's payments, newest first: what was bought, how it was paid, the amount in its own currency
 * (stored in minor units) and what was refunded of it, the credits it bought, its status and a link to
 * the provider's receipt. Each row has the id `payment-<id>` so the credits history can link to it.
 */
export function PaymentsTable({ rows, nextBefore }: { rows: PaymentRow[]; nextBefore: number | null }) {
  const t = useTranslations('billing');
  if (rows.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 p-6 text-slate-700">
        {t('payments.empty')}
      </p>
    );
  }
  return (
    <>
      <table className="w-full border-collapse text-left text-sm">
        <caption className="sr-only">{t('payments.caption')}</caption>
        <thead className="hidden border-b border-slate-200 text-slate-600 sm:table-header-group">
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
                {t(`payments.columns.${column}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <PaymentTableRow key={row.id} row={row} />
          ))}
        </tbody>
      </table>
      <nav className="mt-4 flex gap-4 text-sm" aria-label={t('payments.heading')}>
        {nextBefore !== null && (
          <Link
            className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            href={`/settings/billing?before=${nextBefore}`}
          >
            {t('payments.older')}
          </Link>
        )}
      </nav>
    </>
  );
}

const linkClass =
  'font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700';

/**
 * One payment. On phones the header row is hidden and the cells stack in two columns (`order-*`), so
 * each cell names its column; the receipt cell holds only its self-describing link, or nothing.
 */
function PaymentTableRow({ row }: { row: PaymentRow }) {
  const t = useTranslations('billing');
  const format = useFormatter();
  const locale = useLocale();
  const label = (column: Exclude<Column, 'receipt'>) => (
    <span className="block text-xs font-medium text-slate-600 sm:hidden">
      {t(`payments.columns.${column}`)}
    </span>
  );
  const receipt = hasReceipt(row);
  return (
    <tr
      id={`payment-${row.id}`}
      className="grid grid-cols-2 gap-x-3 gap-y-2 border-b border-slate-200 py-3 target:bg-indigo-50 sm:table-row"
    >
      <td className="order-1 col-span-2 px-3 sm:py-2">
        {label('date')}
        <time dateTime={row.createdAt.toISOString()}>
          {t('dateTime', { date: formatUtcDateTime(row.createdAt, locale) })}
        </time>
      </td>
      <td className="order-2 px-3 font-medium sm:py-2">
        {label('item')}
        {itemLabel(t, row.scene)}
      </td>
      <td className="order-4 px-3 text-slate-700 sm:py-2">
        {label('method')}
        {t(`provider.${row.provider}`)}
      </td>
      <td className="order-3 px-3 text-right tabular-nums sm:py-2 sm:text-left">
        {label('amount')}
        {formatMoney(format, row.amountMinor, row.currency)}
        {row.refundedMinor > 0 && (
          <span className="block text-xs text-slate-600">
            {t('payments.refunded', { amount: formatMoney(format, row.refundedMinor, row.currency) })}
          </span>
        )}
      </td>
      <td className="order-6 px-3 tabular-nums text-slate-700 sm:py-2">
        {label('credits')}
        {t('payments.creditsValue', { count: row.credits })}
      </td>
      <td className="order-5 px-3 text-right sm:py-2 sm:text-left">
        {label('status')}
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[row.status]}`}>
          {t(`status.${row.status}`)}
        </span>
      </td>
      <td className={`order-7 px-3 text-right sm:py-2 sm:text-left ${receipt ? '' : 'max-sm:hidden'}`}>
        {receipt && (
          <a
            className={linkClass}
            href={`/api/billing/receipts/${row.id}`}
            target="_blank"
            rel="noopener"
            aria-label={t('payments.receiptLabel')}
          >
            {t('payments.receipt')}
          </a>
        )}
      </td>
    </tr>
  );
}

function itemLabel(t: ReturnType<typeof useTranslations<'billing'>>, scene: string): string {
  if (scene.startsWith('credits_')) return t('item.pack', { id: scene.slice('credits_'.length) });
  if (scene === 'pro_monthly' || scene === 'pro_yearly' || scene === 'lifetime') return t(`item.${scene}`);
  return t('item.other', { scene });
}
