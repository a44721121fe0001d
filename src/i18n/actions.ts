'use server';

import { cookies } from 'next/headers';
import { z } from 'zod';
import { CURRENCY_COOKIE, currencies } from './currency';
import { LOCALE_COOKIE, locales } from './locales';

const YEAR_SECONDS = 60 * 60 * 24 * 365;
const cookieOptions = { path: '/', maxAge: YEAR_SECONDS, sameSite: 'lax' as const };

/** The language switcher. Unknown values are ignored rather than stored. */
export async function setLocale(formData: FormData): Promise<void> {
  const parsed = z.enum(locales).safeParse(formData.get('locale'));
  if (parsed.success) (await cookies()).set(LOCALE_COOKIE, parsed.data, cookieOptions);
}

/** The currency switcher of the buy-more section. */
export async function setCurrency(formData: FormData): Promise<void> {
  const parsed = z.enum(currencies).safeParse(formData.get('currency'));
  if (parsed.success) (await cookies()).set(CURRENCY_COOKIE, parsed.data, cookieOptions);
}
