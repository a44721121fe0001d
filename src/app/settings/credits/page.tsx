import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { getLocale, getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { BalanceCard } from '@/components/credits/balance-card';
import { BalanceChart } from '@/components/credits/balance-chart';
import { BuyMore } from '@/components/credits/buy-more';
import type { OfferMethods } from '@/components/credits/buy-offers';
import { type CheckoutOutcome, CheckoutStatus } from '@/components/credits/checkout-status';
import { ExpiringNotice } from '@/components/credits/expiring-notice';
import { HistoryFilter } from '@/components/credits/history-filter';
import { HistoryPagination } from '@/components/credits/history-pagination';
import { HistoryTable } from '@/components/credits/history-table';
import { type CreditsView, creditsHref, creditTypes } from '@/components/credits/href';
import { PageHeader, Panel } from '@/components/page-parts';
import { encodeCursor, getBalanceSeries, getCreditBalance } from '@/credits';
import { balanceSeriesRanges } from '@/credits/ranges';
import { setCurrency } from '@/i18n/actions';
import { CURRENCY_COOKIE, type Currency, preferredCurrency } from '@/i18n/currency';
import { isLocale } from '@/i18n/locales';
import { requireUser } from '@/lib/session';
import { availableMethods, paymentsConfigured, planIds } from '@/payment/checkout';
import { getPaymentsConfig } from '@/payment/config';
import { confirmCheckoutReturn } from '@/payment/stripe/confirm';
import { checkout } from './actions';
import { loadHistory } from './history';

export const dynamic = 'force-dynamic';

// Anything unexpected in the URL falls back to the default view rather than failing the page.
const viewInput = z.object({
  range: z.coerce.number().pipe(z.literal(balanceSeriesRanges)).catch(30),
  type: z.enum(creditTypes).optional().catch(undefined),
  cursor: z.string().min(1).max(100).optional().catch(undefined),
});

// Where Stripe Checkout sends the buyer back (success_url / cancel_url). Anything else: no banner.
const checkoutReturnInput = z.discriminatedUnion('checkout', [
  z.object({ checkout: z.literal('success'), session_id: z.string().regex(/^cs_\w{1,250}$/) }),
  z.object({ checkout: z.literal('cancelled') }),
]);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('credits');
  return { title: t('title') };
}

export default async function CreditsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser('/settings/credits');
  const params = await searchParams;
  const requested = viewInput.parse(params);
  // Before the balance is read, so credits this checkout just granted are in what the page shows.
  const outcome = await checkoutOutcome(user.id, params);
  const [t, currency, balance, series, history] = await Promise.all([
    getTranslations('credits'),
    visitorCurrency(),
    getCreditBalance(user.id),
    getBalanceSeries({ userId: user.id, days: requested.range }),
    loadHistory(user.id, requested),
  ]);
  const view: CreditsView = { ...requested, cursor: history.cursor };
  const filterView = { range: view.range, type: view.type };
  // A refund's or expiry's related row may be on another page: open the page that starts with it.
  const transactionHref = (id: number) =>
    creditsHref(
      { range: view.range, cursor: encodeCursor({ direction: 'older', id: id + 1 }) },
      `transaction-${id}`,
    );
  return (
    <div className="space-y-8">
      <PageHeader title={t('title')} description={t('description')} />
      <CheckoutStatus outcome={outcome} dismissHref={creditsHref(requested)} />
      <ExpiringNotice expiration={balance.nextExpiration} />
      <BalanceCard balance={balance} />
      <BalanceChart points={series} view={view} />
      <Panel
        id="history"
        headingId="history-heading"
        heading={t('history.heading')}
        aside={<HistoryFilter view={filterView} />}
        className="scroll-mt-4"
      >
        <HistoryTable
          rows={history.page.items}
          filtered={view.type !== undefined}
          transactionHref={transactionHref}
        />
        <HistoryPagination
          view={filterView}
          nextCursor={history.page.nextCursor}
          prevCursor={history.page.prevCursor}
        />
      </Panel>
      <BuyMore
        packs={siteConfig.credits.packs}
        plans={siteConfig.credits.plans}
        currency={currency}
        methods={offerMethods(currency)}
        paymentsConfigured={paymentsConfigured()}
        checkoutAction={checkout}
        currencyAction={setCurrency}
      />
    </div>
  );
}

async function visitorCurrency() {
  const [locale, jar] = await Promise.all([getLocale(), cookies()]);
  return preferredCurrency(isLocale(locale) ? locale : 'en', jar.get(CURRENCY_COOKIE)?.value);
}

/**
 * The outcome of the checkout the buyer is returning from. A paid Stripe session is fulfilled here if
 * its webhook has not arrived yet; if that fails, the webhook still will, so the page says the payment
 * is on its way rather than failing.
 */
async function checkoutOutcome(userId: string, params: Record<string, unknown>): Promise<CheckoutOutcome> {
  const parsed = checkoutReturnInput.safeParse(params);
  if (!parsed.success) return { status: 'unknown' };
  if (parsed.data.checkout === 'cancelled') return { status: 'cancelled' };
  const stripe = getPaymentsConfig().stripe;
  if (!stripe) return { status: 'unknown' };
  try {
    return await confirmCheckoutReturn(stripe, userId, parsed.data.session_id);
  } catch (error) {
    console.error(`[payments] confirming checkout ${parsed.data.session_id} on return failed:`, error);
    return { status: 'processing' };
  }
}

/** Which payment methods take each pack and plan in `currency`: plain data for the client buttons. */
function offerMethods(currency: Currency): OfferMethods {
  return {
    packs: Object.fromEntries(
      siteConfig.credits.packs.map((pack) => [
        pack.id,
        availableMethods(currency, { kind: 'pack', id: pack.id }),
      ]),
    ),
    plans: Object.fromEntries(planIds.map((id) => [id, availableMethods(currency, { kind: 'plan', id })])),
  };
}
