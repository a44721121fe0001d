import { getTranslations } from 'next-intl/server';

export default async function AiLoading() {
  const t = await getTranslations('ai');
  return (
    <section className="mx-auto max-w-2xl space-y-4" aria-busy="true">
      <p role="status" className="text-slate-700">
        {t('loading')}
      </p>
      <div aria-hidden="true" className="space-y-3">
        <div className="h-8 w-1/2 animate-pulse rounded bg-slate-200" />
        <div className="h-4 w-full animate-pulse rounded bg-slate-200" />
        <div className="h-32 w-full animate-pulse rounded bg-slate-200" />
        <div className="h-10 w-40 animate-pulse rounded bg-slate-200" />
      </div>
    </section>
  );
}
