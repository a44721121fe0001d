import { useTranslations } from 'next-intl';
import { type Currency, currencies } from '@/i18n/currency';

/**
 * USD / CNY, as two submit buttons of one form: the server action stores the choice in a cookie and
 * the page renders again in that currency. Works without JavaScript.
 */
export function CurrencySwitcher({
  currency,
  action,
}: {
  currency: Currency;
  action: (formData: FormData) => void | Promise<void>;
}) {
  const t = useTranslations('credits.buy.currency');
  return (
    <form action={action}>
      <fieldset className="inline-flex items-center gap-2">
        <legend className="sr-only">{t('label')}</legend>
        <span aria-hidden="true" className="text-sm text-slate-600">
          {t('label')}
        </span>
        <span className="inline-flex rounded-lg border border-slate-300 bg-slate-100 p-0.5 text-sm">
          {currencies.map((code) => (
            <button
              key={code}
              type="submit"
              name="currency"
              value={code}
              aria-pressed={code === currency}
              className={`rounded-md px-3 py-1 font-medium ${
                code === currency
                  ? 'bg-white text-indigo-800 shadow-sm'
                  : 'text-slate-700 hover:text-slate-900'
              }`}
            >
              {t(code)}
            </button>
          ))}
        </span>
      </fieldset>
    </form>
  );
}
