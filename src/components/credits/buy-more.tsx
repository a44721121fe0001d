import type { SiteConfig } from '@site-config';
import { useTranslations } from 'next-intl';
import type { Currency } from '@/i18n/currency';
import type { CheckoutAction } from './buy-button';
import { type OfferMethods, PackOffers, PlanOffers } from './buy-offers';
import { CurrencySwitcher } from './currency-switcher';

/**
 * "Buy more" (id="buy", linked from the billing page): the packs and plans of site.config.ts priced in
 * the visitor's currency with a button per payment method that takes them, a currency switcher, and,
 * while no payment provider is configured, a plain notice that purchases cannot be completed yet.
 */
export function BuyMore({
  packs,
  plans,
  currency,
  methods,
  paymentsConfigured,
  checkoutAction,
  currencyAction,
}: {
  packs: SiteConfig['credits']['packs'];
  plans: SiteConfig['credits']['plans'];
  currency: Currency;
  methods: OfferMethods;
  paymentsConfigured: boolean;
  checkoutAction: CheckoutAction;
  currencyAction: (formData: FormData) => void | Promise<void>;
}) {
  const t = useTranslations('credits.buy');
  return (
    <section id="buy" aria-labelledby="buy-heading" className="scroll-mt-4 space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="buy-heading" className="text-lg font-semibold text-slate-900">
            {t('heading')}
          </h2>
          <p className="mt-1 text-sm text-slate-700">{t('description')}</p>
        </div>
        <CurrencySwitcher currency={currency} action={currencyAction} />
      </div>
      {!paymentsConfigured && (
        <p className="rounded-lg border border-slate-300 bg-slate-100 p-3 text-sm text-slate-800">
          {t('notConfigured')}
        </p>
      )}
      <PackOffers packs={packs} currency={currency} methods={methods} checkoutAction={checkoutAction} />
      <PlanOffers plans={plans} currency={currency} methods={methods} checkoutAction={checkoutAction} />
    </section>
  );
}
