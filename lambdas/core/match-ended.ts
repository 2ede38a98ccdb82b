/**
 * MatchEnded on the placement path: record the end and stop the server, nothing more. The
 * archive (artifacts, logs, manifest) and the SessionEnded event are the reaper's: its next
 * run finishes every ENDING record within its own time budget, so a large or slow artifact
 * never holds a batch of placements. Gameye keeps a stopped container's artifacts until it
 * removes the container, minutes after the stop, well beyond one reaper period.
 *
 * Idempotent: an unknown match leaves a tombstone (its MatchFound may still be on its way, SQS
 * keeps no order), an ENDED or FAILED one is a no-op, an ENDING one has its stop resumed. A
 * match still PLACING throws {@link TransientPlacementError} so SQS brings the message back.
 */
import type { BridgeConfig } from './config.ts';
import { AlreadyClaimedError, StateConflictError, TransientPlacementError } from './errors.ts';
import type { MatchEndedV1 } from './match-event.ts';
import type { Clock, GameyePort, SessionStore } from './ports.ts';
import { sessionIdFor } from './session-id.ts';
import {
  newEndedBeforePlacedRecord,
  type SessionRecord,
  toEnding,
  withEndingProgress,
} from './session-record.ts';

export interface MatchEndedDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly gameye: Pick<GameyePort, 'stopSession'>;
  readonly clock: Clock;
}

export type MatchEndedOutcome =
  /** No record: a tombstone now keeps a late MatchFound from starting a server. */
  | { readonly kind: 'unknown-match'; readonly matchId: string }
  | {
      readonly kind: 'already-ended';
      readonly matchId: string;
      readonly sessionId: string;
      readonly state: 'ENDED' | 'FAILED';
    }
  | {
      readonly kind: 'ending';
      readonly matchId: string;
      readonly sessionId: string;
      readonly region: string | undefined;
      /** The record as this delivery left it: ENDING, stopped unless the stop was deferred. */
      readonly record: SessionRecord;
      /**
       * `stopped` (now or by an earlier delivery), or `deferred`: the stop call failed and the
       * reaper's next run, which stops any ENDING record not yet stopped, retries it.
       */
      readonly stop: 'stopped' | 'deferred';
      /** Why the stop was deferred, for the handler's log line. */
      readonly stopError?: unknown;
      /** False when an earlier delivery had already moved the record to ENDING. */
      readonly first: boolean;
    };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Record MatchEnded (READY → ENDING `match-ended`) and stop the session. */
export async function stopEndedMatch(ended: MatchEndedV1, deps: MatchEndedDeps): Promise<MatchEndedOutcome> {
  const { matchId } = ended;
  const record = await deps.store.get(matchId);
  if (!record) return leaveTombstone(matchId, deps);
  const ids = { matchId, sessionId: record.sessionId };
  if (record.state === 'ENDED' || record.state === 'FAILED') {
    return { kind: 'already-ended', ...ids, state: record.state };
  }
  if (record.state === 'PLACING') {
    throw new TransientPlacementError(
      'not-ready-yet',
      'match ended while its session is still being placed',
      ids,
    );
  }
  let ending = record;
  if (record.state === 'READY') {
    ending = toEnding(record, 'match-ended', deps.clock.now());
    await transition(deps, record, ending);
  }
  const first = record.state === 'READY';
  const base = { kind: 'ending', ...ids, region: ending.region, first } as const;
  if (ending.stoppedAt !== undefined) return { ...base, record: ending, stop: 'stopped' };
  try {
    await deps.gameye.stopSession(ending.sessionId);
  } catch (error) {
    return { ...base, record: ending, stop: 'deferred', stopError: error };
  }
  const stopped = withEndingProgress(ending, { stoppedAt: iso(deps.clock.now()) }, deps.clock.now());
  await transition(deps, ending, stopped);
  return { ...base, record: stopped, stop: 'stopped' };
}

async function leaveTombstone(matchId: string, deps: MatchEndedDeps): Promise<MatchEndedOutcome> {
  const tombstone = newEndedBeforePlacedRecord({
    matchId,
    sessionId: sessionIdFor(matchId, deps.config.sessionNamespace),
    now: deps.clock.now(),
    retentionDays: deps.config.retentionDays,
  });
  try {
    await deps.store.claim(tombstone);
  } catch (error) {
    if (error instanceof AlreadyClaimedError) {
      // The MatchFound claimed it this very moment: end it once it is placed.
      throw new TransientPlacementError('not-ready-yet', 'match ended while it was being claimed', {
        matchId,
        cause: error,
      });
    }
    throw error;
  }
  return { kind: 'unknown-match', matchId };
}

/** A lost race (the reaper moved the record first) is retried through SQS redelivery. */
async function transition(deps: MatchEndedDeps, from: SessionRecord, next: SessionRecord): Promise<void> {
  try {
    await deps.store.transition(next, { state: from.state, version: from.version });
  } catch (error) {
    if (error instanceof StateConflictError) {
      throw new TransientPlacementError('concurrent-update', 'the record changed while ending the match', {
        matchId: from.matchId,
        sessionId: from.sessionId,
        cause: error,
      });
    }
    throw error;
  }
}
