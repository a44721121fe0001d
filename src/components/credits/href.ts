import type { BalanceSeriesRange } from '@/credits/ranges';
import { type CreditTransactionType, creditTransactionType } from '@/db/schema';

/** The history's type filter offers exactly the ledger's transaction types, in the schema's order. */
export const creditTypes = creditTransactionType.enumValues;

/** What the page's URL selects: the chart's range, the history's type filter and page. */
export interface CreditsView {
  range: BalanceSeriesRange;
  type?: CreditTransactionType;
  cursor?: string;
}

/** A link to /settings/credits showing `view`; defaults are left out so the plain URL stays plain. */
export function creditsHref(view: CreditsView, hash?: string): string {
  const params = new URLSearchParams();
  if (view.range !== 30) params.set('range', String(view.range));
  if (view.type) params.set('type', view.type);
  if (view.cursor) params.set('cursor', view.cursor);
  const query = params.toString();
  return `/settings/credits${query ? `?${query}` : ''}${hash ? `#${hash}` : ''}`;
}
