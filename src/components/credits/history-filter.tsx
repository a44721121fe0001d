import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { type CreditsView, creditsHref, creditTypes } from './href';

/**
 * Filter links for the history, one per transaction type and "All". Changing the filter starts again
 * from the newest page; the chart range is kept. The current choice carries aria-current.
 */
export function HistoryFilter({ view }: { view: Omit<CreditsView, 'cursor'> }) {
  const t = useTranslations('credits');
  const options = [undefined, ...creditTypes];
  return (
    <nav aria-label={t('history.filter.label')}>
      <ul className="flex flex-wrap gap-2 text-sm">
        {options.map((type) => {
          const current = view.type === type;
          return (
            <li key={type ?? 'all'}>
              <Link
                href={creditsHref({ range: view.range, type }, 'history')}
                aria-current={current ? 'true' : undefined}
                className={`inline-block rounded-full border px-3 py-1 font-medium ${
                  current
                    ? 'border-indigo-700 bg-indigo-700 text-white'
                    : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50'
                }`}
              >
                {type ? t(`type.${type}`) : t('history.filter.all')}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
