import { useTranslations } from 'next-intl';
import type { CreditTransactionType } from '@/db/schema';

// 900 text on 100 backgrounds: every pair is well above the 4.5:1 AA ratio.
const BADGE_STYLES: Record<CreditTransactionType, string> = {
  GRANT: 'bg-emerald-100 text-emerald-900 ring-emerald-200',
  CONSUME: 'bg-indigo-100 text-indigo-900 ring-indigo-200',
  EXPIRE: 'bg-amber-100 text-amber-900 ring-amber-200',
  REFUND: 'bg-sky-100 text-sky-900 ring-sky-200',
};

/** The transaction type as a coloured badge; the word, not the colour, carries the meaning. */
export function TypeBadge({ type }: { type: CreditTransactionType }) {
  const t = useTranslations('credits.type');
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${BADGE_STYLES[type]}`}
    >
      {t(type)}
    </span>
  );
}
