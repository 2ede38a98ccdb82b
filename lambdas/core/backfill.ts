/**
 * Backfill: new players for a match that is running. A READY match gets them announced with
 * its session's host and ports (PlayersAssigned) and no new server. Anything else gets
 * BackfillFailed with why, and the message is parked in the DLQ with the same reason:
 *
 * | the match's record | answer |
 * |---|---|
 * | READY | PlayersAssigned (recorded first, then published) |
 * | PLACING | retried (it may become READY); on the last delivery, `match-not-ready` |
 * | FAILED | `match-failed`: it never got a server |
 * | ENDING, ENDED | `match-over` |
 * | none | `unknown-match` |
 *
 * Idempotent by `(matchId, backfillId)`: the assignment is written to the record before it is
 * announced, so a duplicate (or the redelivery after a crash between the two) finds it there
 * and announces exactly the same PlayersAssigned again, whatever the match's state since, and
 * writes nothing. Past the last eight backfills a record keeps only their ids: a duplicate of
 * one that old is acknowledged without a write or an announcement (its players are no longer
 * on the record). A backfill that failed leaves nothing behind: a duplicate fails the same way.
 */

import type { BridgeConfig } from './config.ts';
import { StateConflictError, TransientPlacementError } from './errors.ts';
import { type BackfillFailure, backfillFailedFor, playersAssignedOf } from './events.ts';
import type { MatchBackfilledV1 } from './match-event.ts';
import { asTransient } from './placement/place-match.ts';
import type { Clock, EventPublisher, SessionStore } from './ports.ts';
import { sessionIdFor } from './session-id.ts';
import { knownBackfill, type RecordedBackfill, type SessionRecord, withBackfill } from './session-record.ts';

export interface BackfillDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
}

export type BackfillOutcome =
  | {
      readonly kind: 'assigned';
      readonly matchId: string;
      readonly sessionId: string;
      readonly backfillId: string;
      readonly players: number;
      /** False when an earlier delivery had assigned it: this one only announced it again. */
      readonly first: boolean;
      /** An earlier delivery assigned it so long ago that only its id is kept: not announced again. */
      readonly forgotten?: boolean;
    }
  | {
      /** BackfillFailed was published (when the ids are known); park the message in the DLQ. */
      readonly kind: 'failed';
      readonly matchId: string | undefined;
      readonly sessionId: string | undefined;
      readonly backfillId: string | undefined;
      readonly reason: BackfillFailure;
      readonly message: string;
    };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads of the record per delivery when another writer keeps moving it. */
const MAX_READS = 3;

/** Assign a backfill's players to its match. Throws only {@link TransientPlacementError}. */
export async function assignBackfill(
  backfill: MatchBackfilledV1,
  deps: BackfillDeps,
  options: { readonly finalDelivery?: boolean } = {},
): Promise<BackfillOutcome> {
  const ids = {
    matchId: backfill.matchId,
    sessionId: sessionIdFor(backfill.matchId, deps.config.sessionNamespace),
  };
  for (let read = 1; ; read++) {
    try {
      return await assignOnce(backfill, deps, options);
    } catch (error) {
      const transient = asTransient(error, ids);
      // The reaper's player tracking or another backfill wrote first: read and decide again.
      if (transient.reason === 'concurrent-update' && read < MAX_READS) continue;
      throw transient;
    }
  }
}

async function assignOnce(
  backfill: MatchBackfilledV1,
  deps: BackfillDeps,
  options: { readonly finalDelivery?: boolean },
): Promise<BackfillOutcome> {
  const { matchId, backfillId } = backfill;
  const record = await deps.store.get(matchId);
  const sessionId = record?.sessionId ?? sessionIdFor(matchId, deps.config.sessionNamespace);
  const ids = { matchId, sessionId, backfillId };
  const earlier = record === undefined ? undefined : knownBackfill(record, backfillId);
  if (earlier === 'forgotten') return { kind: 'assigned', ...ids, players: 0, first: false, forgotten: true };
  if (record !== undefined && earlier !== undefined) {
    await deps.publisher.publish(playersAssignedOf(record, earlier));
    return { kind: 'assigned', ...ids, players: earlier.players.length, first: false };
  }
  if (record === undefined) {
    return fail(ids, 'unknown-match', `no match ${matchId} is known to this deployment`, deps);
  }
  switch (record.state) {
    case 'READY':
      return assign(record, backfill, deps);
    case 'PLACING':
      if (!options.finalDelivery) {
        throw new TransientPlacementError(
          'match-placing',
          `backfill ${backfillId}: the match is still being placed`,
          {
            matchId,
            sessionId,
          },
        );
      }
      return fail(
        ids,
        'match-not-ready',
        'the match was still being placed after every retry of the backfill',
        deps,
      );
    case 'FAILED':
      return fail(
        ids,
        'match-failed',
        `the match has no server: it failed (${record.failure?.reason ?? 'unknown reason'})`,
        deps,
      );
    case 'ENDING':
    case 'ENDED':
      return fail(
        ids,
        'match-over',
        `the match is over (${record.state}, ${record.endReason ?? 'no reason'})`,
        deps,
      );
  }
}

async function assign(
  record: SessionRecord,
  backfill: MatchBackfilledV1,
  deps: BackfillDeps,
): Promise<BackfillOutcome> {
  const now = deps.clock.now();
  const recorded: RecordedBackfill = {
    backfillId: backfill.backfillId,
    players: backfill.players.map((p) => (p.team === undefined ? { id: p.id } : { id: p.id, team: p.team })),
    assignedAt: iso(now),
  };
  const next = withBackfill(record, recorded, now);
  try {
    await deps.store.transition(next, { state: record.state, version: record.version });
  } catch (error) {
    if (error instanceof StateConflictError) {
      // The reaper (player tracking) or another backfill wrote first: read and decide again soon.
      throw new TransientPlacementError(
        'concurrent-update',
        'the record changed while assigning the backfill',
        {
          matchId: record.matchId,
          sessionId: record.sessionId,
          cause: error,
        },
      );
    }
    throw error;
  }
  await deps.publisher.publish(playersAssignedOf(next, recorded));
  return {
    kind: 'assigned',
    matchId: record.matchId,
    sessionId: record.sessionId,
    backfillId: backfill.backfillId,
    players: recorded.players.length,
    first: true,
  };
}

async function fail(
  ids: { readonly matchId: string; readonly sessionId: string; readonly backfillId: string },
  reason: BackfillFailure,
  message: string,
  deps: Pick<BackfillDeps, 'publisher' | 'clock'>,
): Promise<Extract<BackfillOutcome, { kind: 'failed' }>> {
  const event = backfillFailedFor({ ...ids, reason, message, failedAt: iso(deps.clock.now()) });
  await deps.publisher.publish(event);
  return { kind: 'failed', ...ids, reason, message: event.message };
}

/**
 * A MatchBackfilled that is not valid: BackfillFailed `invalid-event` when its match and
 * backfill ids could be read (the matchmaker can correlate it), nothing stored either way.
 */
export async function rejectInvalidBackfill(
  refused: {
    readonly matchId: string | undefined;
    readonly backfillId: string | undefined;
    readonly message: string;
  },
  deps: Pick<BackfillDeps, 'config' | 'publisher' | 'clock'>,
): Promise<Extract<BackfillOutcome, { kind: 'failed' }>> {
  const { matchId, backfillId, message } = refused;
  if (matchId === undefined || backfillId === undefined) {
    return { kind: 'failed', matchId, sessionId: undefined, backfillId, reason: 'invalid-event', message };
  }
  const sessionId = sessionIdFor(matchId, deps.config.sessionNamespace);
  return fail({ matchId, sessionId, backfillId }, 'invalid-event', message, deps);
}
