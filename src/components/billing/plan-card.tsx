import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { BUY_MORE_HREF } from '@/components/credits/buy-href';
import { formatUtcDateTime } from '@/i18n/format';
import type { CurrentPlan } from '@/payment/queries';
import { ManageSubscription, type PortalAction } from './manage-subscription';

type DateKey = 'plan.renews' | 'plan.ends' | 'plan.lifetimeSince';

/**
 * The user's plan and, for a subscription, when it renews or ends (in UTC, and saying so), a notice when
 * its last renewal failed, and "Manage subscription" when there is a Stripe customer to manage.
 */
export function PlanCard({
  plan,
  canManage = false,
  manageAction,
}: {
  plan: CurrentPlan;
  /** Whether the user has a billing account with Stripe (and Stripe is configured). */
  canManage?: boolean;
  manageAction?: PortalAction;
}) {
  const t = useTranslations('billing');
  const locale = useLocale();
  const when = (key: DateKey, date: Date) =>
    t.rich(key, {
      date: t('dateTime', { date: formatUtcDateTime(date, locale) }),
      time: (chunks) => <time dateTime={date.toISOString()}>{chunks}</time>,
    });
  const subscription = plan.id === 'pro_monthly' || plan.id === 'pro_yearly' ? plan : null;
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
      {plan.id === 'free' && (
        <p className="mt-2 text-sm text-slate-700" data-testid="plan-detail">
          {t('plan.freeBody')}
        </p>
      )}
      {plan.id === 'lifetime' && (
        <p className="mt-2 text-sm text-slate-700" data-testid="plan-detail">
          {when('plan.lifetimeSince', plan.since)}
        </p>
      )}
      {subscription?.periodEnd && (
        <p className="mt-2 text-sm text-slate-700" data-testid="plan-detail">
          {when(subscription.cancelAtPeriodEnd ? 'plan.ends' : 'plan.renews', subscription.periodEnd)}
        </p>
      )}
      {subscription?.status === 'past_due' && (
        <p
          className="mt-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
          data-testid="plan-past-due"
        >
          {t('plan.pastDue')}
        </p>
      )}
      {canManage && manageAction && (
        <ManageSubscription
          action={manageAction}
          subscribed={plan.id === 'pro_monthly' || plan.id === 'pro_yearly'}
        />
      )}
      <Link
        href={BUY_MORE_HREF}
        className="mt-4 inline-block text-sm font-medium text-indigo-700 underline-offset-2 hover:underline"
      >
        {t('plan.upgrade')}
      </Link>
    </section>
  );
}
