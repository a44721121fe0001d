'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import type { PortalActionResult } from '@/app/settings/billing/actions';

/** openBillingPortal: it redirects to the Stripe Customer Portal, or answers why it could not. */
export type PortalAction = () => Promise<PortalActionResult>;

/**
 * "Manage subscription" (or, without a subscription, "Billing details and invoices"): opens the Stripe
 * Customer Portal (card, invoices, cancellation). When the
 * portal cannot be opened, the reason is said in a live region beside the button.
 */
export function ManageSubscription({ action, subscribed }: { action: PortalAction; subscribed: boolean }) {
  const t = useTranslations('billing.manage');
  const [result, submit, pending] = useActionState<PortalActionResult | null, FormData>(() => action(), null);
  return (
    <form action={submit} className="mt-4">
      <button
        type="submit"
        disabled={pending}
        aria-describedby="manage-subscription-hint"
        className="rounded-lg bg-indigo-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:cursor-wait disabled:opacity-70"
      >
        {pending ? t('pending') : t(subscribed ? 'action' : 'actionNoPlan')}
      </button>
      <p id="manage-subscription-hint" className="mt-2 text-sm text-slate-600">
        {t(subscribed ? 'hint' : 'hintNoPlan')}
      </p>
      <p role="status" aria-live="polite" className="mt-2 text-sm text-rose-800 empty:hidden">
        {result && t(`result.${result.reason}`)}
      </p>
    </form>
  );
}
