import { useLocale, useTranslations } from 'next-intl';
import { setLocale } from '@/i18n/actions';
import { locales } from '@/i18n/locales';

/**
 * One submit button per language, posting the `setLocale` server action. The language changes only when
 * the reader presses a button (never on focus or selection, WCAG 3.2.2), and it works without JavaScript.
 * Each button names its language in that language, so it carries that `lang`.
 */
export function LanguageSwitcher() {
  const t = useTranslations('common.language');
  const current = useLocale();
  return (
    <form action={setLocale}>
      <fieldset className="inline-flex rounded-lg border border-slate-300 bg-slate-100 p-0.5 text-sm">
        <legend className="sr-only">{t('label')}</legend>
        {locales.map((code) => {
          const selected = code === current;
          return (
            <button
              key={code}
              type="submit"
              name="locale"
              value={code}
              lang={code}
              aria-current={selected ? 'true' : undefined}
              className={`rounded-md px-2.5 py-1 font-medium ${
                selected ? 'bg-white text-indigo-800 shadow-sm' : 'text-slate-700 hover:text-slate-900'
              }`}
            >
              {t(code)}
            </button>
          );
        })}
      </fieldset>
    </form>
  );
}
