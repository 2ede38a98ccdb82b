/**
 * Acting on a decision the index pass made: the record is read whole and strongly consistent
 * first (the index gives only what the policy decides on, eventually consistent), left alone if
 * it changed since, then written conditionally on the state and version read. Every failure or
 * lost race is told to the observer and left to the next run, which reads afresh.
 */

import type { BridgeConfig } from '../config.ts';
import { StateConflictError } from '../errors.ts';
import { sessionFailedOf } from '../events.ts';
import type { LiveSession } from '../ports.ts';
import { type SessionRecord, toEnding, toFailed, withPlayerTracking } from '../session-record.ts';
import type { StopReason } from '../stop-reasons.ts';
import type { ActiveEntry } from './active-entry.ts';
import type { LiveStatus } from './lifecycle-policy.ts';
import { observerOf, type ReaperDeps } from './reaper-context.ts';
import type { Act } from './triage.ts';

/** What acting on one decision came to. */
export type ActOutcome =
  | { readonly kind: 'tracked' }
  /** Now ENDING: to be stopped and archived this run. */
  | {
      readonly kind: 'stopping';
      readonly reason: StopReason;
      readonly record: SessionRecord;
      readonly live: LiveStatus | undefined;
    }
  | { readonly kind: 'abandoned' }
  /** Lost to another writer, or failed (told to the observer): the next run decides afresh. */
  | { readonly kind: 'left' };

const LEFT: ActOutcome = { kind: 'left' };

/**
 * Carry out one decision. `described` holds the whole sessions this run described, so an
 * abandoned placement's server is found where it runs without asking Gameye twice.
 */
export async function actOn(
  act: Act,
  deps: ReaperDeps,
  now: number,
  described: ReadonlyMap<string, LiveSession>,
): Promise<ActOutcome> {
  const { entry, decision, live } = act;
  switch (decision.kind) {
    case 'track': {
      const record = await readCurrent(entry, 'track players', deps);
      if (!record) return LEFT;
      const next = withPlayerTracking(record, decision, now);
      return (await write(deps, record, next, 'track players')) ? { kind: 'tracked' } : LEFT;
    }
    case 'stop': {
      const record = await readCurrent(entry, 'mark ENDING', deps);
      if (!record) return LEFT;
      const next = toEnding(record, decision.reason, now);
      if (!(await write(deps, record, next, 'mark ENDING'))) return LEFT;
      return { kind: 'stopping', reason: decision.reason, record: next, live };
    }
    case 'abandon-running': {
      // The lists keep only a session's liveness: where it runs comes from a describe.
      const where = described.get(entry.sessionId) ?? (await describe(entry, deps));
      const record = where && (await readCurrent(entry, 'mark ENDING', deps));
      if (!where || !record) return LEFT;
      const next = toEnding(record, 'placement-abandoned', now, {
        region: where.location,
        host: where.host,
        ports: where.ports,
      });
      if (!(await write(deps, record, next, 'mark ENDING'))) return LEFT;
      return { kind: 'stopping', reason: 'placement-abandoned', record: next, live: where };
    }
    case 'abandon-failed': {
      const record = await readCurrent(entry, 'fail abandoned placement', deps);
      if (!record) return LEFT;
      const failed = toFailed(record, abandonment(deps.config), undefined, now, deps.config.retentionDays);
      if (!(await write(deps, record, failed, 'fail abandoned placement'))) return LEFT;
      try {
        await deps.publisher.publish(sessionFailedOf(failed));
      } catch (error) {
        // The record is FAILED either way; the event is informative for a match nobody placed.
        observerOf(deps).deferred(failed, 'publish SessionFailed', error);
      }
      return { kind: 'abandoned' };
    }
  }
}

/**
 * Read a record whole and strongly consistent before acting on its index entry. Undefined (and
 * a note) when it is gone or moved on since the index was read: the next run decides afresh.
 */
export async function readCurrent(
  entry: ActiveEntry,
  step: string,
  deps: ReaperDeps,
): Promise<SessionRecord | undefined> {
  try {
    const record = await deps.store.get(entry.matchId);
    if (record && record.state === entry.state && record.version === entry.version) return record;
    observerOf(deps).deferred(
      entry,
      step,
      new StateConflictError(
        `record of match ${entry.matchId} is no longer ${entry.state} v${entry.version}`,
        {
          matchId: entry.matchId,
          sessionId: entry.sessionId,
        },
      ),
    );
  } catch (error) {
    observerOf(deps).deferred(entry, step, error);
  }
  return undefined;
}

function abandonment(config: Readonly<BridgeConfig>) {
  return {
    reason: 'placement-abandoned' as const,
    message: `no session at Gameye ${Math.round(config.orphanGraceMs / 60_000)} min after the claim: every placement retry was spent`,
  };
}

async function describe(entry: ActiveEntry, deps: ReaperDeps): Promise<LiveSession | undefined> {
  try {
    return await deps.gameye.describeSession(entry.sessionId);
  } catch (error) {
    observerOf(deps).deferred(entry, 'describe session', error);
    return undefined;
  }
}

/** A conditional write the reaper may lose to another writer; false (and a note) when it does. */
async function write(
  deps: ReaperDeps,
  from: SessionRecord,
  next: SessionRecord,
  step: string,
): Promise<boolean> {
  try {
    await deps.store.transition(next, { state: from.state, version: from.version });
    return true;
  } catch (error) {
    // A lost race (StateConflictError) or a failed write alike: the next run reads afresh.
    observerOf(deps).deferred(from, step, error);
    return false;
  }
}
