import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { DISPLAY_TIME_ZONE, isLocale, LOCALE_COOKIE, type Locale, negotiateLocale } from './locales';
import { loadMessages } from './messages';

/** next-intl's per-request configuration: the locale, its messages and the time zone dates are shown in. */
export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return { locale, messages: await loadMessages(locale), timeZone: DISPLAY_TIME_ZONE };
});

export async function requestLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(chosen)) return chosen;
  return negotiateLocale((await headers()).get('accept-language'));
}
