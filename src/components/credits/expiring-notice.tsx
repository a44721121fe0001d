import { useLocale, useTranslations } from 'next-intl';
import type { CreditBalance } from '@/credits';
import { formatUtcDateTime } from '@/i18n/format';

/** "20 credits expire on 22 Dec 2026, 10:00 UTC": the next lots to expire, exactly. Nothing when none do. */
export function ExpiringNotice({ expiration }: { expiration: CreditBalance['nextExpiration'] }) {
  const t = useTranslations('credits');
  const locale = useLocale();
  if (!expiration) return null;
  const date = t('dateTime', { date: formatUtcDateTime(expiration.expiresAt, locale) });
  return (
    <div
      className="flex gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-amber-950"
      data-testid="expiring-notice"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 size-5 shrink-0 fill-amber-700">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm.75 4v4.19l2.78 2.78-1.06 1.06-3.22-3.22V6h1.5Z" />
      </svg>
      <div>
        <p className="font-medium">
          {t.rich('expiring.notice', {
            amount: expiration.amount,
            date,
            time: (chunks) => <time dateTime={expiration.expiresAt.toISOString()}>{chunks}</time>,
          })}
        </p>
        <p className="mt-1 text-sm text-amber-900">{t('expiring.hint')}</p>
      </div>
    </div>
  );
}
