import type { SiteConfig } from '@site-config';
import { useFormatter, useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { Currency } from '@/i18n/currency';
import { formatMoney } from '@/i18n/format';
import type { PaymentMethod } from '@/payment/checkout';
import { BuyButton, type CheckoutAction } from './buy-button';

type Credits = SiteConfig['credits'];

/**
 * The payment methods that can take each pack (by id) and plan in the selected currency, as the page
 * worked them out on the server. A product missing here gets a plain "Buy" button.
 */
export interface OfferMethods {
  packs: Readonly<Record<string, readonly PaymentMethod[]>>;
  plans: Readonly<Partial<Record<keyof Credits['plans'], readonly PaymentMethod[]>>>;
}

interface OfferProps {
  currency: Currency;
  methods: OfferMethods;
  checkoutAction: CheckoutAction;
}

function usePrice(currency: Currency): (prices: { USD: number; CNY: number }) => string {
  const format = useFormatter();
  return (prices) => formatMoney(format, prices[currency], currency);
}

/** One card per credit pack: credits, price and how long the credits last. */
export function PackOffers({
  packs,
  currency,
  methods,
  checkoutAction,
}: OfferProps & { packs: Credits['packs'] }) {
  const t = useTranslations('credits.buy');
  const price = usePrice(currency);
  return (
    <OfferGrid heading={t('packs.heading')}>
      {packs.map((pack) => (
        <Offer
          key={pack.id}
          testId={`pack-${pack.id}`}
          title={t('packs.name', { credits: pack.credits })}
          price={price(pack.price)}
          details={[
            pack.expiresInDays === null
              ? t('packs.neverExpires')
              : t('packs.validFor', { days: pack.expiresInDays }),
          ]}
        >
          <BuyButton
            action={checkoutAction}
            product={{ kind: 'pack', id: pack.id }}
            currency={currency}
            methods={methods.packs[pack.id] ?? []}
            label={t('buyPack', { credits: pack.credits, price: price(pack.price) })}
          />
        </Offer>
      ))}
    </OfferGrid>
  );
}

/** The three plans: a price per period (or once, for lifetime) and the credits each brings. */
export function PlanOffers({
  plans,
  currency,
  methods,
  checkoutAction,
}: OfferProps & { plans: Credits['plans'] }) {
  const t = useTranslations('credits.buy');
  const price = usePrice(currency);
  const expiry = (plan: { creditsExpireAtPeriodEnd: boolean }) =>
    plan.creditsExpireAtPeriodEnd ? [t('plans.periodExpiry')] : [];
  // Monthly and yearly differ only in their interval, which the config states.
  const periodic = (['pro_monthly', 'pro_yearly'] as const).map((id) => {
    const plan = plans[id];
    const monthly = plan.interval === 'month';
    return {
      id,
      prices: plan.price,
      per: t(monthly ? 'plans.perMonth' : 'plans.perYear'),
      details: [
        t(monthly ? 'plans.creditsPerMonth' : 'plans.creditsPerYear', { credits: plan.creditsPerPeriod }),
        ...expiry(plan),
      ],
    };
  });
  const offers = [
    ...periodic,
    {
      id: 'lifetime' as const,
      prices: plans.lifetime.price,
      per: t('plans.oneTime'),
      details: [
        t('plans.lifetimeCredits', {
          credits: plans.lifetime.credits,
          monthly: plans.lifetime.monthlyCredits,
        }),
      ],
    },
  ];
  return (
    <OfferGrid heading={t('plans.heading')}>
      {offers.map((offer) => (
        <Offer
          key={offer.id}
          testId={`plan-${offer.id}`}
          title={t(`plans.${offer.id}`)}
          price={price(offer.prices)}
          per={offer.per}
          details={offer.details}
        >
          <BuyButton
            action={checkoutAction}
            product={{ kind: 'plan', id: offer.id }}
            currency={currency}
            methods={methods.plans[offer.id] ?? []}
            label={t('buyPlan', { plan: t(`plans.${offer.id}`), price: price(offer.prices) })}
          />
        </Offer>
      ))}
    </OfferGrid>
  );
}

function OfferGrid({ heading, children }: { heading: string; children: ReactNode }) {
  return (
    <div>
      <h3 className="mb-3 font-semibold text-slate-900">{heading}</h3>
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">{children}</ul>
    </div>
  );
}

function Offer(props: {
  testId: string;
  title: string;
  price: string;
  per?: string;
  details: readonly string[];
  children: ReactNode;
}) {
  return (
    <li
      data-testid={props.testId}
      className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <h4 className="font-semibold text-slate-900">{props.title}</h4>
      <p className="mt-2 flex flex-wrap items-baseline gap-x-1.5">
        <span className="text-2xl font-semibold tabular-nums text-slate-900">{props.price}</span>
        {props.per && <span className="text-sm text-slate-600">{props.per}</span>}
      </p>
      <ul className="mt-3 space-y-1 text-sm text-slate-700">
        {props.details.map((detail) => (
          <li key={detail}>{detail}</li>
        ))}
      </ul>
      {props.children}
    </li>
  );
}
