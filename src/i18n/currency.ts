import type { Locale } from './locales';

/** Prices are shown in the visitor's currency: the `currency` cookie if chosen, else by language. */
export const currencies = ['USD', 'CNY'] as const;
export type Currency = (typeof currencies)[number];
export const CURRENCY_COOKIE = 'currency';

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (currencies as readonly string[]).includes(value);
}

export function preferredCurrency(locale: Locale, cookie: string | undefined): Currency {
  if (isCurrency(cookie)) return cookie;
  return locale === 'zh-CN' ? 'CNY' : 'USD';
}
