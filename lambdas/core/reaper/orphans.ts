/**
 * Orphans: sessions running under this deployment's label with no active record (a lost
 * write, a record removed by hand, a placement that crashed past its retries). Each gets an
 * ENDING record of its own (`orphan:<sessionId>`), so it is stopped, archived and resumed
 * exactly like any other session. Which sessions qualify is policy (`isOrphan` in
 * lifecycle-policy.ts); this is the search and the claim.
 */

import { AlreadyClaimedError } from '../errors.ts';
import type { LiveSession } from '../ports.ts';
import { ACTIVE_STATES, inReadShard, newOrphanRecord, type SessionRecord } from '../session-record.ts';
import { runBounded } from './bounded-pool.ts';
import { DESCRIBE_WIDTH, MAX_DESCRIBES_PER_RUN } from './describe-unclear.ts';
import { isOrphan } from './lifecycle-policy.ts';
import type { LiveView } from './live-view.ts';
import { observerOf, type ReaperDeps } from './reaper-context.ts';
import { rotate } from './rotation.ts';
import { moveIntoReadShard } from './unread-shards.ts';

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
  const jobs = rotate(candidates, (c) => c.id, now, MAX_DESCRIBES_PER_RUN, deps.runPeriodMs).map(
    (candidate) => async () => {
      try {
        const live = await deps.gameye.describeSession(candidate.id);
        if (live && isOrphan(live, graceMs, now)) found.push(live);
      } catch {
        // Described again next run; nothing is stopped on a guess.
      }
    },
  );
  await runBounded(jobs, DESCRIBE_WIDTH, hasTime);
  return found;
}

/** What claiming one orphan came to. */
export type OrphanClaim =
  /** A new ENDING orphan record: stopped and archived like any other this run. */
  | { readonly kind: 'claimed'; readonly record: SessionRecord }
  /**
   * Its orphan record had ended already (stopped and archived by an earlier run) yet the session
   * still runs: stopped again, with no second archive (that folder is complete).
   */
  | { readonly kind: 'stopped-again'; readonly record: SessionRecord }
  /** Nothing to do this run: its match owns it, or a read or write failed (told to the observer). */
  | { readonly kind: 'left' };

const LEFT: OrphanClaim = { kind: 'left' };

/**
 * Give `live` an ENDING orphan record, unless its match's own record turns out to own it. Only
 * an answer from the store that no active record of its match owns the session lets the claim
 * go on: a failed read (throttling, a corrupt item) leaves the session alone this run, since it
 * may be a live match's server.
 */
export async function claimOrphan(live: LiveSession, deps: ReaperDeps, now: number): Promise<OrphanClaim> {
  const observer = observerOf(deps);
  // The index is eventually consistent: a match re-placed just now (a redrive adopting this
  // very session) may not show in it yet. Its own record has the last word.
  const matchId = live.labels['bridge-match-id'];
  if (matchId !== undefined) {
    let owner: SessionRecord | undefined;
    try {
      owner = await deps.store.get(matchId);
    } catch (error) {
      observer.deferred(
        { matchId, sessionId: live.id, region: live.location },
        'read owner of orphan',
        error,
      );
      return LEFT;
    }
    if (owner && owner.sessionId === live.id && ACTIVE_STATES.has(owner.state)) {
      // Owned, but unseen by the index: its record was written when `activeShards` was higher.
      // Left there, the policy would never see it and its server would run for ever.
      if (!inReadShard(owner, deps.config.activeShards)) await moveIntoReadShard(owner, deps, now);
      return LEFT;
    }
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
    return { kind: 'claimed', record };
  } catch (error) {
    if (!(error instanceof AlreadyClaimedError)) {
      observer.deferred(record, 'claim orphan', error);
      return LEFT;
    }
  }
  return stopAgain(record, live, deps);
}

/**
 * The orphan record of `live` exists already. Still active, it is being finished (the index had
 * not shown it yet). Ended (no transition leaves ENDED), the session outlived its archive: it is
 * stopped directly, so a session whose stop was lost is not left running for ever.
 */
async function stopAgain(claim: SessionRecord, live: LiveSession, deps: ReaperDeps): Promise<OrphanClaim> {
  const observer = observerOf(deps);
  try {
    const existing = await deps.store.get(claim.matchId);
    if (existing === undefined || ACTIVE_STATES.has(existing.state)) return LEFT;
    await deps.gameye.stopSession(live.id);
    observer.orphanStoppedAgain?.(live, existing);
    return { kind: 'stopped-again', record: existing };
  } catch (error) {
    observer.deferred(claim, 'stop orphan again', error);
    return LEFT;
  }
}
