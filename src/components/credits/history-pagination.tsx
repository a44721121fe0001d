import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { type CreditsView, creditsHref } from './href';

const linkClass =
  'inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50';
const unavailableClass =
  'inline-flex items-center gap-1 rounded-md border border-slate-200 px-3 py-1.5 text-slate-500';

/**
 * Newer/older links for the keyset-paginated history. They keep the type filter and the chart range.
 * At either end the unavailable direction stays in place as muted plain text, not a link (so the layout
 * does not jump and there is nothing to focus or activate).
 */
export function HistoryPagination({
  view,
  nextCursor,
  prevCursor,
}: {
  view: Omit<CreditsView, 'cursor'>;
  nextCursor: string | null;
  prevCursor: string | null;
}) {
  const t = useTranslations('credits.history.pagination');
  if (!nextCursor && !prevCursor) return null;
  const pages = [
    {
      key: 'newer',
      cursor: prevCursor,
      label: (
        <>
          <span aria-hidden="true">←</span> {t('newer')}
        </>
      ),
    },
    {
      key: 'older',
      cursor: nextCursor,
      label: (
        <>
          {t('older')} <span aria-hidden="true">→</span>
        </>
      ),
    },
  ] as const;
  return (
    <nav aria-label={t('label')} className="mt-4 flex justify-between gap-3 text-sm">
      {pages.map(({ key, cursor, label }) =>
        cursor ? (
          <Link
            key={key}
            rel={key === 'newer' ? 'prev' : 'next'}
            className={linkClass}
            href={creditsHref({ ...view, cursor }, 'history')}
          >
            {label}
          </Link>
        ) : (
          <span key={key} className={unavailableClass}>
            {label}
          </span>
        ),
      )}
    </nav>
  );
}
