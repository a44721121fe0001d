import { useFormatter, useTranslations } from 'next-intl';
import type { CreditBalance } from '@/credits';

export type BalanceFigures = Pick<
  CreditBalance,
  'current' | 'available' | 'lifetimeGranted' | 'lifetimeConsumed'
>;

/** The balance and lifetime totals. The figures are a polite live region: they change after a purchase. */
export function BalanceCard({ balance }: { balance: BalanceFigures }) {
  const t = useTranslations('credits.balance');
  const format = useFormatter();
  const due = balance.current - balance.available;
  const stats = [
    ['available', balance.available],
    ['lifetimeGranted', balance.lifetimeGranted],
    ['lifetimeConsumed', balance.lifetimeConsumed],
  ] as const;
  return (
    <section
      aria-labelledby="balance-heading"
      className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <h2 id="balance-heading" className="sr-only">
        {t('heading')}
      </h2>
      <dl aria-live="polite" className="grid grid-cols-3 gap-4 sm:grid-cols-[1.5fr_1fr_1fr_1fr] sm:items-end">
        <div className="col-span-3 sm:col-span-1">
          <dt className="text-sm font-medium text-slate-600">{t('current')}</dt>
          <dd className="mt-1 flex items-baseline gap-2">
            <span
              className="text-4xl font-semibold tabular-nums text-slate-900"
              data-testid="balance-current"
            >
              {format.number(balance.current)}
            </span>
            <span className="text-sm text-slate-600">{t('unit')}</span>
          </dd>
        </div>
        {stats.map(([key, value]) => (
          <div key={key} className="border-t border-slate-100 pt-3 sm:border-t-0 sm:border-l sm:pt-0 sm:pl-4">
            <dt className="text-sm text-slate-600">{t(key)}</dt>
            <dd
              className="mt-1 text-xl font-semibold tabular-nums text-slate-900"
              data-testid={`balance-${key}`}
            >
              {format.number(value)}
            </dd>
          </div>
        ))}
      </dl>
      {due > 0 && <p className="mt-4 text-sm text-slate-600">{t('availableHint', { count: due })}</p>}
    </section>
  );
}
