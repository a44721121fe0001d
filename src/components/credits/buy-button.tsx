'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useEffect } from 'react';
import type { Currency } from '@/i18n/currency';
import type { CheckoutActionResult } from '@/payment/checkout';

export type CheckoutAction = (formData: FormData) => Promise<CheckoutActionResult>;

const MESSAGE_STYLES = {
  PAYMENTS_NOT_CONFIGURED: 'text-amber-900',
  INVALID_PRODUCT: 'text-rose-800',
  UNAUTHENTICATED: 'text-rose-800',
} as const;

/**
 * A buy button: submits the product to the checkout action and says what happened in a live region,
 * or goes to the provider's checkout when one was opened. `label` names the product for screen readers.
 */
export function BuyButton({
  action,
  product,
  currency,
  label,
}: {
  action: CheckoutAction;
  product: { kind: 'pack' | 'plan'; id: string };
  currency: Currency;
  label: string;
}) {
  const t = useTranslations('credits.buy');
  const [result, submit, pending] = useActionState<CheckoutActionResult | null, FormData>(
    (_previous, formData) => action(formData),
    null,
  );
  useEffect(() => {
    if (result?.ok) window.location.assign(result.redirectUrl);
  }, [result]);
  return (
    <form action={submit} className="mt-auto pt-4">
      <input type="hidden" name="kind" value={product.kind} />
      <input type="hidden" name="id" value={product.id} />
      <input type="hidden" name="currency" value={currency} />
      <button
        type="submit"
        disabled={pending}
        aria-label={label}
        className="w-full rounded-lg bg-indigo-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-800 disabled:cursor-wait disabled:opacity-70"
      >
        {pending ? t('pending') : t('action')}
      </button>
      <p
        role="status"
        aria-live="polite"
        className={`mt-2 text-sm empty:hidden ${result && !result.ok ? MESSAGE_STYLES[result.reason] : 'text-slate-700'}`}
      >
        {result && (result.ok ? t('result.redirecting') : t(`result.${result.reason}`))}
      </p>
    </form>
  );
}
