/**
 * Orphans: sessions running under this deployment's label with no active record (a lost
 * write, a record removed by hand, a placement that crashed past its retries). Each gets an
 * ENDING record of its own (`orphan:<sessionId>`), so it is stopped, archived and resumed
 * exactly like any other session. Which sessions qualify is policy (`isOrphan` in
 * lifecycle-policy.ts); this is the search and the claim.
 */

import type { LiveSession } from '../ports.ts';
import { ACTIVE_STATES, newOrphanRecord, type SessionRecord } from '../session-record.ts';
import { runBounded } from './bounded-pool.ts';
import { DESCRIBE_WIDTH, rotate } from './describe-unclear.ts';
import { isOrphan } from './lifecycle-policy.ts';
import type { LiveView } from './live-view.ts';
import type { ReaperDeps } from './reaper-context.ts';

/**
 * The listed sessions no active record claimed that qualify as orphans, each described first:
 * the describe gives where it runs and under which labels, and confirms it still runs (the lists
 * were read before the index; a session stopped in between is no orphan). Bounded like the
 * describes of records, rotating over a longer tail.
 */
export async function findOrphans(
  view: LiveView,
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
): Promise<LiveSession[]> {
  const graceMs = deps.config.orphanGraceMs;
  const candidates = [...view.unclaimed()].filter((s) => isOrphan(s, graceMs, now));
  const found: LiveSession[] = [];
  const jobs = rotate(candidates, now).map((candidate) => async () => {
    try {
      const live = await deps.gameye.describeSession(candidate.id);
      if (live && isOrphan(live, graceMs, now)) found.push(live);
    } catch {
      // Described again next run; nothing is stopped on a guess.
    }
  });
  await runBounded(jobs, DESCRIBE_WIDTH, hasTime);
  return found;
}

/**
 * Give `live` an ENDING orphan record, unless its match's own record turns out to own it.
 * Answers the new record, or undefined when there is nothing to stop (told to the observer when
 * the claim itself failed).
 */
export async function claimOrphan(
  live: LiveSession,
  deps: ReaperDeps,
  now: number,
): Promise<SessionRecord | undefined> {
  // The index is eventually consistent: a match re-placed just now (a redrive adopting this
  // very session) may not show in it yet. Its own record has the last word.
  const matchId = live.labels['bridge-match-id'];
  if (matchId !== undefined) {
    const owner = await deps.store.get(matchId).catch(() => undefined);
    if (owner && owner.sessionId === live.id && ACTIVE_STATES.has(owner.state)) return undefined;
  }
  const record = newOrphanRecord({
    sessionId: live.id,
    matchId,
    profile: live.labels['bridge-profile'] ?? 'unknown',
    image: live.image,
    createdAt: live.created,
    where: { region: live.location, host: live.host, ports: live.ports },
    activeShards: deps.config.activeShards,
    now,
  });
  try {
    await deps.store.claim(record);
  } catch (error) {
    // An orphan record exists already but is not active: that session was handled before.
    deps.observer?.deferred(record, 'claim orphan', error);
    return undefined;
  }
  return record;
}
