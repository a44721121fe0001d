import { getTranslations } from 'next-intl/server';

const block = 'animate-pulse rounded-xl bg-slate-200/70';

/** A skeleton in the page's shape while balance, chart and history load. */
export default async function CreditsLoading() {
  const t = await getTranslations('credits');
  return (
    <div className="space-y-8" aria-busy="true">
      <p role="status" className="sr-only">
        {t('loading')}
      </p>
      <div aria-hidden="true" className="space-y-8">
        <div className="space-y-2">
          <div className={`${block} h-8 w-40`} />
          <div className={`${block} h-4 w-72 max-w-full`} />
        </div>
        <div className={`${block} h-28`} />
        <div className={`${block} h-72`} />
        <div className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
          {['a', 'b', 'c', 'd', 'e'].map((row) => (
            <div key={row} className={`${block} h-10`} />
          ))}
        </div>
      </div>
    </div>
  );
}
