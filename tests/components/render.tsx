import { render } from '@testing-library/react';
import { NextIntlClientProvider } from 'next-intl';
import type { ReactElement } from 'react';
import { DISPLAY_TIME_ZONE, type Locale } from '@/i18n/locales';
import { loadMessages } from '@/i18n/messages';

/** Renders a component with the real messages of `locale`, as the app's layout provides them. */
export async function renderIn(locale: Locale, ui: ReactElement) {
  const messages = await loadMessages(locale);
  return render(
    <NextIntlClientProvider locale={locale} messages={messages} timeZone={DISPLAY_TIME_ZONE}>
      {ui}
    </NextIntlClientProvider>,
  );
}
