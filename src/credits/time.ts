/** Calendar arithmetic for grants, in UTC: expiry `days` after a moment, and the end of a billing period. */

export const DAY_MS = 86_400_000;

/** `days` after `now` (default: the current time), or undefined for credits that never expire. */
export function daysFrom(now: Date | undefined, days: number | null): Date | undefined {
  return days === null ? undefined : new Date((now ?? new Date()).getTime() + days * DAY_MS);
}

/** One calendar month or year after `from`, in UTC. */
export function addInterval(from: Date, interval: 'month' | 'year'): Date {
  const end = new Date(from);
  if (interval === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end;
}
