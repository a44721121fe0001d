import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { balanceSeriesRanges } from '@/credits/ranges';
import { type CreditsView, creditsHref } from './href';

/** 30/90-day links for the balance chart, as a segmented control; the history's filter and page stay. */
export function RangeToggle({ view }: { view: CreditsView }) {
  const t = useTranslations('credits.chart.range');
  return (
    <nav aria-label={t('label')}>
      <ul className="inline-flex rounded-lg border border-slate-300 bg-slate-100 p-0.5 text-sm">
        {balanceSeriesRanges.map((range) => {
          const current = view.range === range;
          return (
            <li key={range}>
              <Link
                href={creditsHref({ ...view, range }, 'chart')}
                aria-current={current ? 'true' : undefined}
                className={`inline-block rounded-md px-3 py-1 font-medium ${
                  current ? 'bg-white text-indigo-800 shadow-sm' : 'text-slate-700 hover:text-slate-900'
                }`}
              >
                {t(String(range))}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
