'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useEffect } from 'react';
import { useFormStatus } from 'react-dom';
import type { Currency } from '@/i18n/currency';
import type { CheckoutActionResult, PaymentMethod } from '@/payment/checkout';

export type CheckoutAction = (formData: FormData) => Promise<CheckoutActionResult>;

const MESSAGE_STYLES = {
  PAYMENTS_NOT_CONFIGURED: 'text-amber-900',
  PROVIDER_UNAVAILABLE: 'text-rose-800',
  INVALID_PRODUCT: 'text-rose-800',
  UNAUTHENTICATED: 'text-rose-800',
} as const;

const BUTTON_STYLES = {
  stripe: 'bg-indigo-700 text-white shadow-sm hover:bg-indigo-800',
  wechat: 'bg-emerald-700 text-white shadow-sm hover:bg-emerald-800',
} as const;

/**
 * The buy buttons of one offer: one per payment method that can take it ("Pay with card", "WeChat
 * Pay"), or a single "Buy" when only one can (or none: the action then says payments are not set up).
 * Each submits the product, currency and method to the checkout action; what happened is said in one
 * live region, or the browser goes where the action answered (Stripe's checkout, the WeChat Pay QR
 * page). `label` names the offer for screen readers ("Buy 100 credits for $5.00").
 */
export function BuyButton({
  action,
  product,
  currency,
  methods,
  label,
}: {
  action: CheckoutAction;
  product: { kind: 'pack' | 'plan'; id: string };
  currency: Currency;
  /** The methods that can take this product in this currency, in the order to offer them. */
  methods: readonly PaymentMethod[];
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
  const choices: readonly (PaymentMethod | null)[] = methods.length > 0 ? methods : [null];
  const single = choices.length === 1;
  return (
    <div className="mt-auto pt-4">
      <div className={single ? '' : 'grid gap-2'}>
        {choices.map((method) => (
          <form key={method ?? 'any'} action={submit}>
            <input type="hidden" name="kind" value={product.kind} />
            <input type="hidden" name="id" value={product.id} />
            <input type="hidden" name="currency" value={currency} />
            {method && <input type="hidden" name="method" value={method} />}
            <SubmitButton
              disabled={pending}
              className={BUTTON_STYLES[method ?? 'stripe']}
              text={single || !method ? t('action') : t(`methods.${method}`)}
              label={
                single || !method ? label : t('withMethod', { offer: label, method: t(`methods.${method}`) })
              }
            />
          </form>
        ))}
      </div>
      <p
        role="status"
        aria-live="polite"
        className={`mt-2 text-sm empty:hidden ${result && !result.ok ? MESSAGE_STYLES[result.reason] : 'text-slate-700'}`}
      >
        {result && (result.ok ? t('result.redirecting') : t(`result.${result.reason}`))}
      </p>
    </div>
  );
}

/** Says "Starting checkout…" on the button whose form is being submitted, not on its neighbours. */
function SubmitButton({
  disabled,
  className,
  text,
  label,
}: {
  disabled: boolean;
  className: string;
  text: string;
  label: string;
}) {
  const t = useTranslations('credits.buy');
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={disabled || pending}
      aria-label={label}
      className={`w-full rounded-lg px-4 py-2 text-sm font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:cursor-wait disabled:opacity-70 ${className}`}
    >
      {pending ? t('pending') : text}
    </button>
  );
}
