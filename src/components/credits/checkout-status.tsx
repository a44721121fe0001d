import Link from 'next/link';
import { useTranslations } from 'next-intl';

/**
 * What the page learned about the checkout the buyer just came back from: paid (with the credits now
 * in the balance), still on its way (a subscription, or a payment the webhook has not confirmed yet),
 * cancelled, or nothing it can vouch for (`unknown`, which shows nothing).
 */
export type CheckoutOutcome =
  | { status: 'paid'; credits: number }
  | { status: 'processing' }
  | { status: 'cancelled' }
  | { status: 'unknown' };

const STYLES = {
  paid: 'border-emerald-300 bg-emerald-50 text-emerald-950',
  processing: 'border-sky-300 bg-sky-50 text-sky-950',
  cancelled: 'border-slate-300 bg-slate-100 text-slate-900',
} as const;

/** The banner at the top of /settings/credits after a checkout. `dismissHref` is the page without it. */
export function CheckoutStatus({ outcome, dismissHref }: { outcome: CheckoutOutcome; dismissHref: string }) {
  const t = useTranslations('credits.checkout');
  if (outcome.status === 'unknown') return null;
  return (
    <div
      role="status"
      data-testid="checkout-status"
      className={`flex flex-wrap items-start justify-between gap-3 rounded-xl border p-4 ${STYLES[outcome.status]}`}
    >
      <p className="font-medium">
        {outcome.status === 'paid' ? t('paid', { credits: outcome.credits }) : t(outcome.status)}
      </p>
      <Link
        href={dismissHref}
        className="text-sm font-medium underline underline-offset-2 hover:no-underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
      >
        {t('dismiss')}
      </Link>
    </div>
  );
}
