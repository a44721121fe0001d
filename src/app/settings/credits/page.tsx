import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { getLocale, getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { BalanceCard } from '@/components/credits/balance-card';
import { BalanceChart } from '@/components/credits/balance-chart';
import { BuyMore } from '@/components/credits/buy-more';
import { ExpiringNotice } from '@/components/credits/expiring-notice';
import { HistoryFilter } from '@/components/credits/history-filter';
import { HistoryPagination } from '@/components/credits/history-pagination';
import { HistoryTable } from '@/components/credits/history-table';
import { type CreditsView, creditsHref, creditTypes } from '@/components/credits/href';
import { PageHeader, Panel } from '@/components/page-parts';
import { encodeCursor, getBalanceSeries, getCreditBalance } from '@/credits';
import { balanceSeriesRanges } from '@/credits/ranges';
import { setCurrency } from '@/i18n/actions';
import { CURRENCY_COOKIE, preferredCurrency } from '@/i18n/currency';
import { isLocale } from '@/i18n/locales';
import { requireUser } from '@/lib/session';
import { paymentsConfigured } from '@/payment/checkout';
import { checkout } from './actions';
import { loadHistory } from './history';

export const dynamic = 'force-dynamic';

// Anything unexpected in the URL falls back to the default view rather than failing the page.
const viewInput = z.object({
  range: z.coerce.number().pipe(z.literal(balanceSeriesRanges)).catch(30),
  type: z.enum(creditTypes).optional().catch(undefined),
  cursor: z.string().min(1).max(100).optional().catch(undefined),
});

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
  const requested = viewInput.parse(await searchParams);
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
