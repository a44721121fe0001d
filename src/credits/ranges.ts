/**
 * The periods the balance chart can show, in days. Kept apart from series.ts (which is server-only) so
 * that the chart's range links can list the same periods the read side accepts.
 */
export const balanceSeriesRanges = [30, 90] as const;
export type BalanceSeriesRange = (typeof balanceSeriesRanges)[number];
