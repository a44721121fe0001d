import 'server-only';
import { type PlanId, siteConfig } from '@site-config';
import { z } from 'zod';
import { type Currency, currencies } from '@/i18n/currency';

/**
 * Starting a purchase: what the buy buttons of /settings/credits call. The product and currency are
 * checked against site.config.ts, the price and credits are taken from it (never from the client), and
 * the order is handed to a payment provider's adapter, which answers where to send the buyer.
 */

export const planIds = ['pro_monthly', 'pro_yearly', 'lifetime'] as const satisfies readonly PlanId[];

export type CheckoutProduct = { kind: 'pack'; id: string } | { kind: 'plan'; id: PlanId };

/** What a provider needs to open a checkout: the price and credits come from the config, not the client. */
export interface CheckoutOrder {
  userId: string;
  product: CheckoutProduct;
  currency: Currency;
  /** The price in the currency's minor unit (cents, fen). */
  amountMinor: number;
  /** The credits the purchase grants (one period's for a subscription), to snapshot on the payment row. */
  credits: number;
  /** The payment row's `scene`: `credits_<packId>`, `pro_monthly`, `pro_yearly` or `lifetime`. */
  scene: string;
}

/** A payment provider (Stripe, WeChat Pay) as checkout sees it. */
export interface CheckoutAdapter {
  supports(currency: Currency): boolean;
  /** Opens the provider's checkout for the order and answers where to send the buyer. */
  createCheckout(order: CheckoutOrder): Promise<{ redirectUrl: string }>;
}

export type CheckoutResult =
  | { ok: true; redirectUrl: string }
  | { ok: false; reason: 'INVALID_PRODUCT' | 'PAYMENTS_NOT_CONFIGURED' };

/** What the checkout server action answers: startCheckout's result, or that there is no session. */
export type CheckoutActionResult = CheckoutResult | { ok: false; reason: 'UNAUTHENTICATED' };

// The payments issue plugs the Stripe and WeChat Pay adapters in here; until then nothing can be sold,
// and every valid request is answered PAYMENTS_NOT_CONFIGURED.
const configuredAdapters: readonly CheckoutAdapter[] = [];

/** Whether any payment provider can take an order, so the page can say plainly when none can. */
export function paymentsConfigured(): boolean {
  return configuredAdapters.length > 0;
}

const packIds = new Set(siteConfig.credits.packs.map((pack) => pack.id));

const checkoutInput = z.strictObject({
  userId: z.string().min(1).max(200),
  product: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('pack'), id: z.string().refine((id) => packIds.has(id)) }),
    z.strictObject({ kind: z.literal('plan'), id: z.enum(planIds) }),
  ]),
  currency: z.enum(currencies),
});

/**
 * Starts a checkout for one pack or plan in one currency. An unknown product or currency is an expected
 * outcome (the form is user input), answered `INVALID_PRODUCT`; with no provider able to take the
 * currency, `PAYMENTS_NOT_CONFIGURED`. Writes nothing: the provider adapter records the pending payment.
 * `options.adapters` replaces the configured providers (tests).
 */
export async function startCheckout(
  input: { userId: string; product: CheckoutProduct; currency: Currency },
  options: { adapters?: readonly CheckoutAdapter[] } = {},
): Promise<CheckoutResult> {
  const parsed = checkoutInput.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'INVALID_PRODUCT' };
  const { userId, product, currency } = parsed.data;
  const adapter = (options.adapters ?? configuredAdapters).find((candidate) => candidate.supports(currency));
  if (!adapter) return { ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' };
  const { redirectUrl } = await adapter.createCheckout({
    userId,
    product,
    currency,
    ...priceOf(product, currency),
  });
  return { ok: true, redirectUrl };
}

function priceOf(
  product: CheckoutProduct,
  currency: Currency,
): Pick<CheckoutOrder, 'amountMinor' | 'credits' | 'scene'> {
  const { packs, plans } = siteConfig.credits;
  if (product.kind === 'pack') {
    const pack = packs.find((candidate) => candidate.id === product.id);
    // startCheckout validated the id against the same list: a miss here is a bug.
    if (!pack) throw new Error(`pack ${product.id} vanished from the config`);
    return { amountMinor: pack.price[currency], credits: pack.credits, scene: `credits_${pack.id}` };
  }
  if (product.id === 'lifetime') {
    return {
      amountMinor: plans.lifetime.price[currency],
      credits: plans.lifetime.credits,
      scene: 'lifetime',
    };
  }
  const plan = plans[product.id];
  return { amountMinor: plan.price[currency], credits: plan.creditsPerPeriod, scene: product.id };
}
