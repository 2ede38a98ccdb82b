/**
 * The step that looks closer where Gameye's lists cannot be trusted to decide: one describe per
 * session the lists do not vouch for, bounded per run, never a guess.
 */

import type { LiveSession } from '../ports.ts';
import type { ActiveEntry } from './active-entry.ts';
import { runBounded } from './bounded-pool.ts';
import type { LiveView } from './live-view.ts';
import type { ReaperDeps } from './reaper-context.ts';
import { rotate } from './rotation.ts';

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
 * remains, a window of `unclear` that moves every minute so a long tail is covered over
 * consecutive runs (rotation.ts). `samples` (some of `unclear`: READY records of suspect
 * locations) say what happened to a location: the window's records of those locations go first,
 * and a sample whose location the window does not reach takes the place of the window's last
 * record. A record left undescribed, or whose describe failed, is not returned: it is kept this
 * run, never judged "gone" on a guess. What was learnt goes into `view`; the whole sessions
 * described are answered by id (an abandoned placement's server is stopped where it runs).
 */
export async function describeUnclear(
  unclear: readonly ActiveEntry[],
  view: LiveView,
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
  samples: readonly ActiveEntry[] = [],
): Promise<{ described: ActiveEntry[]; whole: Map<string, LiveSession> }> {
  const described: ActiveEntry[] = [];
  const whole = new Map<string, LiveSession>();
  const window = rotate(unclear, (r) => r.sessionId, now, MAX_DESCRIBES_PER_RUN, deps.runPeriodMs);
  const suspect = new Set(samples.map((r) => r.region));
  const reached = new Set(window.filter((r) => r.state === 'READY').map((r) => r.region));
  const chosen = [
    ...samples.filter((r) => !reached.has(r.region)),
    ...window.filter((r) => suspect.has(r.region)),
    ...window.filter((r) => !suspect.has(r.region)),
  ].slice(0, MAX_DESCRIBES_PER_RUN);
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
