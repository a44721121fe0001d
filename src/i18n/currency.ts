import type { Locale } from './locales';

/** Prices are shown in the visitor's currency: the `currency` cookie if chosen, else by language. */
export const currencies = ['USD', 'CNY'] as const;
export type Currency = (typeof currencies)[number];
export const CURRENCY_COOKIE = 'currency';

/** Narrows an untrusted value (the cookie, a form field) to a currency the app can price in. */
export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (currencies as readonly string[]).includes(value);
}

/**
 * The currency to show prices in: an explicit choice wins, otherwise the language's usual one, because
 * most Chinese readers pay in yuan and most others in dollars.
 */
export function preferredCurrency(locale: Locale, cookie: string | undefined): Currency {
  if (isCurrency(cookie)) return cookie;
  return locale === 'zh-CN' ? 'CNY' : 'USD';
}
