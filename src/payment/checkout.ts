import 'server-only';
import { type PlanId, siteConfig } from '@site-config';
import { z } from 'zod';
import type { Payment } from '@/db/schema';
import { type Currency, currencies } from '@/i18n/currency';
import { getPaymentsConfig } from './config';
import { stripeCheckout } from './stripe/checkout';
import { wechatCheckout } from './wechat/checkout';

/**
 * Starting a purchase: what the buy buttons of /settings/credits call. The product and currency are
 * checked against site.config.ts, the price and credits are taken from it (never from the client), and
 * the order is handed to a payment provider's adapter, which answers where to send the buyer: Stripe's
 * hosted checkout, or the app's own WeChat Pay QR page.
 */

export const planIds = ['pro_monthly', 'pro_yearly', 'lifetime'] as const satisfies readonly PlanId[];

export type CheckoutProduct = { kind: 'pack'; id: string } | { kind: 'plan'; id: PlanId };

/** The ways to pay: Stripe (cards and the methods enabled in its dashboard) and WeChat Pay (QR code). */
export const paymentMethods = ['stripe', 'wechat'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

/** What a provider needs to open a checkout: the price and credits come from the config, not the client. */
export interface CheckoutOrder {
  userId: string;
  /** The buyer's email, for the provider's receipts. */
  email: string | null;
  product: CheckoutProduct;
  currency: Currency;
  /** The price in the currency's minor unit (cents, fen). */
  amountMinor: number;
  /** The credits the purchase grants (one period's for a subscription), to snapshot on the payment row. */
  credits: number;
  /** The payment row's `type` and `scene` (`credits_<packId>`, `pro_monthly`, `pro_yearly`, `lifetime`). */
  type: Payment['type'];
  scene: string;
  /** A pack's expiry in days (null: never), snapshotted in case the pack leaves the config. */
  expiresInDays?: number | null;
  /** A subscription's billing interval. */
  interval?: 'month' | 'year';
  /** A short product name for the provider's checkout page and statements. */
  description: string;
}

export interface CheckoutContext {
  /** The app's public origin, for the provider's return and notification URLs. */
  appUrl: string;
}

/** A payment provider (Stripe, WeChat Pay) as checkout sees it. */
export interface CheckoutAdapter {
  method: PaymentMethod;
  supports(order: Pick<CheckoutOrder, 'currency' | 'type'>): boolean;
  /** Opens the provider's checkout for the order and answers where to send the buyer. */
  createCheckout(order: CheckoutOrder, context: CheckoutContext): Promise<{ redirectUrl: string }>;
}

export type CheckoutResult =
  | { ok: true; redirectUrl: string }
  | { ok: false; reason: 'INVALID_PRODUCT' | 'PAYMENTS_NOT_CONFIGURED' | 'PROVIDER_UNAVAILABLE' };

/** What the checkout server action answers: startCheckout's result, or that there is no session. */
export type CheckoutActionResult = CheckoutResult | { ok: false; reason: 'UNAUTHENTICATED' };

/** The providers this deployment has keys for, in the order the buy buttons offer them. */
export function configuredAdapters(): CheckoutAdapter[] {
  const config = getPaymentsConfig();
  const adapters: CheckoutAdapter[] = [];
  if (config.stripe) adapters.push(stripeCheckout(config.stripe));
  if (config.wechat) adapters.push(wechatCheckout(config.wechat));
  return adapters;
}

/** Whether any payment provider can take an order, so the page can say plainly when none can. */
export function paymentsConfigured(): boolean {
  return configuredAdapters().length > 0;
}

/** The ways a product can be paid for in a currency, for the buy buttons. */
export function availableMethods(currency: Currency, product: CheckoutProduct): PaymentMethod[] {
  const type = productType(product);
  return configuredAdapters()
    .filter((adapter) => adapter.supports({ currency, type }))
    .map((adapter) => adapter.method);
}

const packIds = new Set(siteConfig.credits.packs.map((pack) => pack.id));

const checkoutInput = z.strictObject({
  userId: z.string().min(1).max(200),
  email: z.email().nullable().default(null),
  product: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('pack'), id: z.string().refine((id) => packIds.has(id)) }),
    z.strictObject({ kind: z.literal('plan'), id: z.enum(planIds) }),
  ]),
  currency: z.enum(currencies),
  method: z.enum(paymentMethods).optional(),
});

/**
 * Starts a checkout for one pack or plan in one currency, with the chosen provider (else the first that
 * takes it). An unknown product or currency is an expected outcome (the form is user input), answered
 * `INVALID_PRODUCT`; with no provider able to take it, `PAYMENTS_NOT_CONFIGURED`; a provider that
 * fails, `PROVIDER_UNAVAILABLE` (logged). Adapters record what they must (WeChat's pending order).
 * `options.adapters` replaces the configured providers (tests).
 */
export async function startCheckout(
  input: {
    userId: string;
    email?: string | null;
    product: CheckoutProduct;
    currency: Currency;
    method?: PaymentMethod;
  },
  options: { appUrl: string; adapters?: readonly CheckoutAdapter[] },
): Promise<CheckoutResult> {
  const parsed = checkoutInput.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'INVALID_PRODUCT' };
  const { userId, email, product, currency, method } = parsed.data;
  const order: CheckoutOrder = { userId, email, product, currency, ...priceOf(product, currency) };
  const adapter = (options.adapters ?? configuredAdapters()).find(
    (candidate) => (method === undefined || candidate.method === method) && candidate.supports(order),
  );
  if (!adapter) return { ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' };
  try {
    const { redirectUrl } = await adapter.createCheckout(order, { appUrl: options.appUrl });
    return { ok: true, redirectUrl };
  } catch (error) {
    console.error(`[payments] ${adapter.method} checkout for ${order.scene} failed:`, error);
    return { ok: false, reason: 'PROVIDER_UNAVAILABLE' };
  }
}

function productType(product: CheckoutProduct): Payment['type'] {
  if (product.kind === 'pack') return 'credit_pack';
  return product.id === 'lifetime' ? 'one_time' : 'subscription';
}

type Priced = Omit<CheckoutOrder, 'userId' | 'email' | 'product' | 'currency'>;

function priceOf(product: CheckoutProduct, currency: Currency): Priced {
  const { packs, plans } = siteConfig.credits;
  if (product.kind === 'pack') {
    const pack = packs.find((candidate) => candidate.id === product.id);
    // startCheckout validated the id against the same list: a miss here is a bug.
    if (!pack) throw new Error(`pack ${product.id} vanished from the config`);
    return {
      amountMinor: pack.price[currency],
      credits: pack.credits,
      type: 'credit_pack',
      scene: `credits_${pack.id}`,
      expiresInDays: pack.expiresInDays,
      description: `${pack.credits.toLocaleString('en-US')} credits`,
    };
  }
  if (product.id === 'lifetime') {
    return {
      amountMinor: plans.lifetime.price[currency],
      credits: plans.lifetime.credits,
      type: 'one_time',
      scene: 'lifetime',
      description: 'Lifetime plan',
    };
  }
  const plan = plans[product.id];
  return {
    amountMinor: plan.price[currency],
    credits: plan.creditsPerPeriod,
    type: 'subscription',
    scene: product.id,
    interval: plan.interval,
    description: product.id === 'pro_monthly' ? 'Pro (monthly)' : 'Pro (yearly)',
  };
}
