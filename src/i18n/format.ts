import { DISPLAY_TIME_ZONE } from '@/i18n/locales';

/**
 * Dates in the app are exact and always in UTC: "22 Dec 2026, 10:00" in English (day first,
 * which no reader misreads) and "2026年12月22日 10:00" in Chinese. The caller appends "UTC" through the
 * `credits.dateTime` message, so every date shown says its time zone.
 */
function dateLocale(locale: string): string {
  return locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
}

const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
const DATE_TIME: Intl.DateTimeFormatOptions = {
  ...DATE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

// Building an Intl formatter costs far more than using one, and a page formats a date per history row
// and per chart point: build each (locale, style) once per process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function utcFormatter(locale: string, style: 'date' | 'dateTime'): Intl.DateTimeFormat {
  const key = `${dateLocale(locale)}|${style}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const options = style === 'date' ? DATE : DATE_TIME;
    formatter = new Intl.DateTimeFormat(dateLocale(locale), { ...options, timeZone: DISPLAY_TIME_ZONE });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** An exact moment, to the minute, so a reader can match a ledger row or payment to what they did. */
export function formatUtcDateTime(date: Date, locale: string): string {
  return utcFormatter(locale, 'dateTime').format(date);
}

/**
 * A calendar day without a time ("22 Dec 2026" / "2026年12月22日"), because the chart's points are whole
 * UTC days and a time of day would suggest a precision they do not have.
 */
export function formatUtcDay(date: Date, locale: string): string {
  return utcFormatter(locale, 'date').format(date);
}

/** A signed amount with a real minus sign: "+50", "−5". */
export function signedAmount(amount: number, formatNumber: (value: number) => string): string {
  return `${amount > 0 ? '+' : '−'}${formatNumber(Math.abs(amount))}`;
}

/** next-intl's formatter (useFormatter or getFormatter): it knows the reader's locale. */
interface NumberFormatter {
  number: (value: number, options: Intl.NumberFormatOptions) => string;
}

const minorDigits = new Map<string, number>();

/**
 * Money is stored as an integer in the currency's minor unit (cents, fen); this shows it in the reader's
 * locale. How many minor digits a currency has comes from the currency itself, not an assumed 100.
 */
export function formatMoney(format: NumberFormatter, amountMinor: number, currency: string): string {
  let digits = minorDigits.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    minorDigits.set(currency, digits);
  }
  return format.number(amountMinor / 10 ** digits, { style: 'currency', currency });
}
