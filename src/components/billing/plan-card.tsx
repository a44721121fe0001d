import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { BUY_MORE_HREF } from '@/components/credits/buy-href';
import { formatUtcDateTime } from '@/i18n/format';
import type { CurrentPlan } from '@/payment/queries';

/** The user's plan and, for a subscription, when the paid period ends (in UTC, and saying so). */
export function PlanCard({ plan }: { plan: CurrentPlan }) {
  const t = useTranslations('billing');
  const locale = useLocale();
  const when = (key: 'plan.renews' | 'plan.lifetimeSince', date: Date) =>
    t.rich(key, {
      date: t('dateTime', { date: formatUtcDateTime(date, locale) }),
      time: (chunks) => <time dateTime={date.toISOString()}>{chunks}</time>,
    });
  return (
    <section
      aria-labelledby="plan-heading"
      className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <h2 id="plan-heading" className="text-sm font-medium text-slate-600">
        {t('plan.heading')}
      </h2>
      <p className="mt-1 text-2xl font-semibold text-slate-900" data-testid="plan-name">
        {t(`plan.${plan.id}`)}
      </p>
      <p className="mt-2 text-sm text-slate-700" data-testid="plan-detail">
        {plan.id === 'free' && t('plan.freeBody')}
        {plan.id === 'lifetime' && when('plan.lifetimeSince', plan.since)}
        {(plan.id === 'pro_monthly' || plan.id === 'pro_yearly') && when('plan.renews', plan.periodEnd)}
      </p>
      <Link
        href={BUY_MORE_HREF}
        className="mt-4 inline-block text-sm font-medium text-indigo-700 underline-offset-2 hover:underline"
      >
        {t('plan.upgrade')}
      </Link>
    </section>
  );
}
