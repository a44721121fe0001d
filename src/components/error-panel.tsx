'use client';

import { useTranslations } from 'next-intl';
import { useEffect } from 'react';

/** What Next.js passes to an `error.tsx` boundary. `retry` fetches the segment again and re-renders it. */
export interface ErrorBoundaryProps {
  error: Error & { digest?: string };
  retry: () => void;
}

/** The messages of one boundary: each has `title`, `body` and `retry`. */
type ErrorMessages = 'common.error' | 'credits.error' | 'billing.error' | 'ai.error';

/**
 * The body of every error boundary: what happened, in the reader's language, and a way to try again.
 * The header and the language switcher stay usable around it.
 */
export function ErrorPanel({ messages, error, retry }: ErrorBoundaryProps & { messages: ErrorMessages }) {
  const t = useTranslations(messages);
  useEffect(() => {
    // Server errors reach the browser as a digest only; it matches the entry in the server's logs.
    console.error(error);
  }, [error]);
  return (
    <section
      role="alert"
      aria-labelledby="error-heading"
      className="mx-auto max-w-xl space-y-4 rounded-xl border border-rose-200 bg-rose-50 p-6 text-rose-950"
    >
      <h1 id="error-heading" className="text-xl font-semibold">
        {t('title')}
      </h1>
      <p className="text-sm">{t('body')}</p>
      <button
        type="button"
        onClick={() => retry()}
        className="rounded-md bg-indigo-700 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-800"
      >
        {t('retry')}
      </button>
    </section>
  );
}
