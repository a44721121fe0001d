import type { CreditTransactionType } from '@/db/schema';

export const creditTypes = [
  'GRANT',
  'CONSUME',
  'EXPIRE',
  'REFUND',
] as const satisfies CreditTransactionType[];
export const chartRanges = [30, 90] as const;
export type ChartRange = (typeof chartRanges)[number];

/** What the page's URL selects: the chart's range, the history's type filter and page. */
export interface CreditsView {
  range: ChartRange;
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
