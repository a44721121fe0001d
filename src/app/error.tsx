'use client';

import { useTranslations } from 'next-intl';
import { useEffect } from 'react';

/** The boundary for errors below the root layout; the header and language switcher stay usable. */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const t = useTranslations('common.error');
  useEffect(() => {
    // Server errors reach the browser as a digest only; it matches the entry in the server's logs.
    console.error(error);
  }, [error]);
  return (
    <section
      aria-labelledby="error-heading"
      role="alert"
      className="mx-auto max-w-xl space-y-4 py-12 text-center"
    >
      <h1 id="error-heading" className="text-3xl font-semibold text-slate-900">
        {t('title')}
      </h1>
      <p className="text-slate-700">{t('body')}</p>
      <button
        type="button"
        onClick={() => retry()}
        className="inline-flex rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
      >
        {t('retry')}
      </button>
    </section>
  );
}
