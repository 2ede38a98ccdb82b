/**
 * A share of a long list for one run, moving on every minute so consecutive runs cover it all.
 * Used for the bounded describes of unclear records (describe-unclear.ts) and of orphan
 * candidates (orphans.ts).
 */

/**
 * At most `share` of `items`, in the order of `keyOf` (the order of the index's pages and of the
 * lists varies from run to run; a sorted order does not), starting at `minute × share`: runs one
 * minute apart (the reaper's default rate) take consecutive windows, so every item is taken
 * within ceil(n / share) runs. A run whose minute repeats takes the same window again.
 */
export function rotate<T>(items: readonly T[], keyOf: (item: T) => string, now: number, share: number): T[] {
  if (items.length <= share) return [...items];
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  const start = (Math.floor(now / 60_000) * share) % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)].slice(0, share);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
