/**
 * A share of a long list for one run, moving on every run so consecutive runs cover it all.
 * Used for the bounded describes of unclear records (describe-unclear.ts) and of orphan
 * candidates (orphans.ts).
 */

/** The reaper's default schedule: a run a minute. */
export const DEFAULT_RUN_PERIOD_MS = 60_000;

/**
 * At most `share` of `items`, in the order of `keyOf` (the order of the index's pages and of the
 * lists varies from run to run; a sorted order does not), starting at `run × share`, where `run`
 * counts the schedule's periods (`periodMs`, the reaper's rate): consecutive runs take
 * consecutive windows, so every item is taken within ceil(n / share) runs. Counting minutes
 * instead would move a five-minute schedule five windows a run, and skip four of them.
 * A run whose period repeats takes the same window again.
 */
export function rotate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  now: number,
  share: number,
  periodMs: number = DEFAULT_RUN_PERIOD_MS,
): T[] {
  if (items.length <= share) return [...items];
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  const start = (Math.floor(now / periodMs) * share) % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)].slice(0, share);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
