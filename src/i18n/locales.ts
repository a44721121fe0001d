/**
 * The languages the app speaks. The locale comes from the `NEXT_LOCALE` cookie (set by the switcher),
 * else from the browser's Accept-Language, else English. URLs carry no locale prefix.
 *
 * Every Chinese request, zh-TW and zh-HK included, is served Simplified Chinese on purpose: it is the only
 * Chinese catalogue, and a Chinese reader is better served by it than by English. To add Traditional
 * Chinese, add `'zh-TW'` to `locales`, write messages/zh-TW/<namespace>.json for every namespace (the
 * catalogue test then checks its keys), give it a label under `common.language` in every catalogue, map it
 * in `dateLocale` (src/i18n/format.ts), and make `negotiateLocale` send zh-TW, zh-HK, zh-MO and any
 * zh-Hant tag to it before the catch-all `zh` rule.
 */
export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';
export const LOCALE_COOKIE = 'NEXT_LOCALE';

/** Narrows an untrusted value (a cookie, a form field) to a locale the app has messages for. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * Picks the supported locale the browser prefers most, by the q-values of Accept-Language, so a first
 * visit is in the reader's language before they have chosen one; any Chinese tag gets Simplified Chinese.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return defaultLocale;
}

/** Every date the app shows says its time zone; all of them are shown in UTC. */
export const DISPLAY_TIME_ZONE = 'UTC';
