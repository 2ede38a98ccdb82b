/**
 * The step that looks closer where Gameye's lists cannot be trusted to decide: one describe per
 * session the lists do not vouch for, bounded per run, never a guess.
 */

import type { LiveSession } from '../ports.ts';
import type { ActiveEntry } from './active-entry.ts';
import { runBounded } from './bounded-pool.ts';
import type { LiveView } from './live-view.ts';
import type { ReaperDeps } from './reaper-context.ts';

/** Most sessions described in one run: the rest wait for later runs (see describeUnclear). */
export const MAX_DESCRIBES_PER_RUN = 200;

/** Describes in flight at once. */
export const DESCRIBE_WIDTH = 16;

/**
 * Look closer where the lists cannot be trusted: a record whose session no list shows (a
 * warm-pool container carries no labels; a crashed one is no longer listed), or shows without
 * a player count or status. One describe each, a few at a time; only a 404 means the session
 * is gone. In the common case every session is listed whole and there is nothing to describe.
 *
 * Bounded so it can never starve the run: at most MAX_DESCRIBES_PER_RUN, only while time
 * remains, starting at an offset that moves every run so a long tail is covered over several
 * runs; the records in `first` (some of `unclear`) go before the rotation. A record left
 * undescribed, or whose describe failed, is not returned: it is kept this run, never judged
 * "gone" on a guess. What was learnt goes into `view`; the whole sessions described are
 * answered by id (an abandoned placement's server is stopped where it runs).
 */
export async function describeUnclear(
  unclear: readonly ActiveEntry[],
  view: LiveView,
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
  first: readonly ActiveEntry[] = [],
): Promise<{ described: ActiveEntry[]; whole: Map<string, LiveSession> }> {
  const described: ActiveEntry[] = [];
  const whole = new Map<string, LiveSession>();
  const firstIds = new Set(first.map((r) => r.sessionId));
  const rest = unclear.filter((r) => !firstIds.has(r.sessionId));
  const chosen = [...first, ...rotate(rest, now)].slice(0, MAX_DESCRIBES_PER_RUN);
  const jobs = chosen.map((r) => async () => {
    try {
      const live = await deps.gameye.describeSession(r.sessionId);
      if (live) {
        view.set(live);
        whole.set(r.sessionId, live);
      } else {
        view.forget(r.sessionId);
      }
      described.push(r);
    } catch (error) {
      // One failing describe must not stop the run: this record is kept, the rest go on.
      deps.observer?.deferred(r, 'describe session', error);
    }
  });
  await runBounded(jobs, DESCRIBE_WIDTH, hasTime);
  return { described, whole };
}

/**
 * At most MAX_DESCRIBES_PER_RUN of `items`, starting at an offset that moves every minute, so a
 * tail longer than one run's share is covered over the next runs.
 */
export function rotate<T>(items: readonly T[], now: number): T[] {
  const start = items.length === 0 ? 0 : Math.floor(now / 60_000) % items.length;
  return [...items.slice(start), ...items.slice(0, start)].slice(0, MAX_DESCRIBES_PER_RUN);
}
