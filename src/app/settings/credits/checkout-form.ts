import { z } from 'zod';
import { type Currency, currencies } from '@/i18n/currency';
import { type CheckoutProduct, type PaymentMethod, paymentMethods, planIds } from '@/payment/checkout';

// The shape of the buy form. Whether the pack exists is startCheckout's check, against site.config.ts.
const checkoutForm = z.strictObject({
  product: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('pack'), id: z.string().regex(/^[a-z0-9_]{1,40}$/) }),
    z.strictObject({ kind: z.literal('plan'), id: z.enum(planIds) }),
  ]),
  currency: z.enum(currencies),
  /** Absent: the first provider that takes the currency. */
  method: z.enum(paymentMethods).optional(),
});

/** Reads a buy form (`kind`, `id`, `currency`, optional `method`); null when a field is missing or malformed. */
export function parseCheckoutForm(
  formData: FormData,
): { product: CheckoutProduct; currency: Currency; method?: PaymentMethod } | null {
  const parsed = checkoutForm.safeParse({
    product: { kind: formData.get('kind'), id: formData.get('id') },
    currency: formData.get('currency'),
    method: formData.get('method') ?? undefined,
  });
  return parsed.success ? parsed.data : null;
}
