'use client';

import { useTranslations } from 'next-intl';
import { useEffect } from 'react';

/** The credits page failed to load: say so, and offer to try again (the segment is fetched anew). */
export default function CreditsError({ error, retry }: { error: unknown; retry: () => void }) {
  const t = useTranslations('credits.error');
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="rounded-xl border border-rose-200 bg-rose-50 p-6 text-rose-950">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="mt-2 text-sm">{t('body')}</p>
      <button
        type="button"
        onClick={() => retry()}
        className="mt-4 rounded-lg bg-indigo-700 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-800"
      >
        {t('retry')}
      </button>
    </div>
  );
}
