import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { PaymentsTable } from '@/components/billing/payments-table';
import { PlanCard } from '@/components/billing/plan-card';
import { PageHeader, Panel } from '@/components/page-parts';
import { requireUser } from '@/lib/session';
import { getPaymentsConfig } from '@/payment/config';
import { getCurrentPlan, getPayments, hasBillingAccount } from '@/payment/queries';
import { openBillingPortal } from './actions';

export const dynamic = 'force-dynamic';

const searchParamsInput = z.object({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('billing');
  return { title: t('title') };
}

export default async function BillingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const user = await requireUser('/settings/billing');
  // A malformed `before` shows the first page rather than an error.
  const parsed = searchParamsInput.safeParse(await searchParams);
  const before = parsed.success ? parsed.data.before : undefined;
  const [t, plan, page, billingAccount] = await Promise.all([
    getTranslations('billing'),
    getCurrentPlan(user.id),
    getPayments({ userId: user.id, limit: siteConfig.credits.limits.paymentsPageSize, before }),
    hasBillingAccount(user.id),
  ]);
  // The Customer Portal needs both a Stripe customer for this user and Stripe keys to open it with.
  const canManage = billingAccount && getPaymentsConfig().stripe !== null;
  return (
    <div className="space-y-8">
      <PageHeader title={t('title')} description={t('description')} />
      <PlanCard plan={plan} canManage={canManage} manageAction={openBillingPortal} />
      <Panel headingId="payments-heading" heading={t('payments.heading')}>
        <PaymentsTable rows={page.items} nextBefore={page.nextBefore} />
        {before !== undefined && (
          <Link
            className="mt-2 inline-block text-sm font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            href="/settings/billing"
          >
            {t('payments.newest')}
          </Link>
        )}
      </Panel>
    </div>
  );
}
