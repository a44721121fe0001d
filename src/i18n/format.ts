import { DISPLAY_TIME_ZONE } from '@/i18n/locales';

/**
 * Dates in the app are exact and always in UTC: "22 Dec 2026, 10:00" in English (day first,
 * which no reader misreads) and "2026年12月22日 10:00" in Chinese. The caller appends "UTC" through the
 * `credits.dateTime` message, so every date shown says its time zone.
 */
function dateLocale(locale: string): string {
  return locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
}

/** An exact moment, to the minute, so a reader can match a ledger row or payment to what they did. */
export function formatUtcDateTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(dateLocale(locale), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: DISPLAY_TIME_ZONE,
  }).format(date);
}

/**
 * A calendar day without a time ("22 Dec 2026" / "2026年12月22日"), because the chart's points are whole
 * UTC days and a time of day would suggest a precision they do not have.
 */
export function formatUtcDay(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(dateLocale(locale), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: DISPLAY_TIME_ZONE,
  }).format(date);
}

/** A signed amount with a real minus sign: "+50", "−5". */
export function signedAmount(amount: number, formatNumber: (value: number) => string): string {
  return `${amount > 0 ? '+' : '−'}${formatNumber(Math.abs(amount))}`;
}
