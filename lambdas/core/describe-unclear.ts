/**
 * The step that looks closer where Gameye's list cannot be trusted to decide: one describe per
 * session the list does not vouch for, bounded per run, never a guess.
 */
import { runBounded } from './bounded-pool.ts';
import type { LiveSession } from './ports.ts';
import type { ReaperDeps } from './reaper-context.ts';
import type { SessionRecord } from './session-record.ts';

/** Most sessions described in one run: the rest wait for later runs (see describeUnclear). */
export const MAX_DESCRIBES_PER_RUN = 200;

/** Describes in flight at once. */
const DESCRIBE_WIDTH = 16;

/**
 * Look closer where the list cannot be trusted: a record whose session the list does not show
 * (a warm-pool container carries no labels; a crashed one is no longer listed), or shows
 * without a player count or status. One describe each, a few at a time; only a 404 means the
 * session is gone. In the common case every session is listed whole and this makes no call.
 *
 * Bounded so it can never starve the run: at most MAX_DESCRIBES_PER_RUN, only while time
 * remains, starting at an offset that moves every run so a long tail is covered over several
 * runs. A record left undescribed, or whose describe failed, is returned in `unknown` and
 * kept this run: never judged "gone" on a guess. `liveById` is updated with what was learnt.
 */
export async function describeUnclear(
  records: readonly SessionRecord[],
  liveById: Map<string, LiveSession>,
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
): Promise<{ unknown: Set<string>; described: number }> {
  const unclear = records.filter((r) => {
    if (r.state === 'ENDING') return false;
    if (r.state === 'PLACING' && now - Date.parse(r.createdAt) < deps.config.orphanGraceMs) return false;
    const live = liveById.get(r.sessionId);
    return live === undefined || live.status === undefined || live.playerCount === undefined;
  });
  const unknown = new Set(unclear.map((r) => r.sessionId));
  const start = unclear.length === 0 ? 0 : Math.floor(now / 60_000) % unclear.length;
  const rotated = [...unclear.slice(start), ...unclear.slice(0, start)].slice(0, MAX_DESCRIBES_PER_RUN);
  let described = 0;
  const jobs = rotated.map((r) => async () => {
    try {
      const live = await deps.gameye.describeSession(r.sessionId);
      if (live) liveById.set(r.sessionId, live);
      else liveById.delete(r.sessionId);
      unknown.delete(r.sessionId);
      described += 1;
    } catch (error) {
      // One failing describe must not stop the run: this record is kept, the rest go on.
      deps.observer?.deferred(r, 'describe session', error);
    }
  });
  await runBounded(jobs, DESCRIBE_WIDTH, hasTime);
  return { unknown, described };
}
