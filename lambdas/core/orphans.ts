/**
 * Orphans: sessions running under this deployment's label with no active record (a lost
 * write, a record removed by hand, a placement that crashed past its retries). Each gets an
 * ENDING record of its own (`orphan:<sessionId>`), so it is stopped, archived and resumed
 * exactly like any other session. Which sessions are orphans is policy (`isOrphan` in
 * lifecycle-policy.ts); this is the claim.
 */
import type { LiveSession } from './ports.ts';
import type { ReaperDeps } from './reaper-context.ts';
import { ACTIVE_STATES, newOrphanRecord, type SessionRecord } from './session-record.ts';

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
  // The index was read before the list: a match re-placed in between (a redrive adopting
  // this very session) would look like an orphan. Its own record has the last word.
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
