'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { startTransition, useEffect } from 'react';

export default function AiError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('ai.error');
  const router = useRouter();
  useEffect(() => {
    console.error('[ai] the page failed to render', error);
  }, [error]);
  return (
    <section role="alert" aria-labelledby="ai-error-heading" className="mx-auto max-w-2xl space-y-3">
      <h1 id="ai-error-heading" className="text-2xl font-semibold text-slate-900">
        {t('title')}
      </h1>
      <p className="text-slate-700">{t('body')}</p>
      <button
        type="button"
        // The page is a server component: fetch it again, then re-render the segment.
        onClick={() =>
          startTransition(() => {
            router.refresh();
            reset();
          })
        }
        className="rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
      >
        {t('retry')}
      </button>
    </section>
  );
}
