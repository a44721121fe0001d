'use client';

import { useLocale, useTranslations } from 'next-intl';
import { useTransition } from 'react';
import { setLocale } from '@/i18n/actions';
import { locales } from '@/i18n/locales';

/** A select that switches the language at once; without JavaScript the form's button submits it. */
export function LanguageSwitcher() {
  const t = useTranslations('common.language');
  const locale = useLocale();
  const [pending, startTransition] = useTransition();
  return (
    <form action={setLocale} className="flex items-center gap-2">
      <label htmlFor="locale-select" className="sr-only">
        {t('label')}
      </label>
      <select
        id="locale-select"
        name="locale"
        defaultValue={locale}
        disabled={pending}
        onChange={(event) => {
          const data = new FormData();
          data.set('locale', event.currentTarget.value);
          startTransition(() => setLocale(data));
        }}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-800"
      >
        {locales.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(code)}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="text-sm underline">
          {t('apply')}
        </button>
      </noscript>
    </form>
  );
}
