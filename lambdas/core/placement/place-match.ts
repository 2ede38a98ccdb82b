/**
 * Placement: one match in, exactly one Gameye session out, whatever SQS does. This file
 * carries out what `policy.ts` decides; the steps, and what makes each safe to repeat:
 *
 * 1. Session id = UUIDv5(matchId, namespace): Gameye refuses a second start with it.
 * 2. The plan (`plan.ts`): the profile merged with the match's overrides. A refused plan is
 *    permanent; without a record it writes nothing (nothing was started, and a corrected
 *    match with the same id can still be placed).
 * 3. The first write claims the match (a conditional create) together with its first attempt;
 *    losing the race, or finding the match settled, reads the record and answers from it.
 * 4. Regions are chosen from Gameye's availability (cached briefly), tags of a pinned version,
 *    and the regions cooling down after "no capacity".
 * 5. Per region in rank order: record a pending attempt, then start. Started: READY. "Exists
 *    already": describe and adopt. Full: cool the region, try the next. Gameye unavailable:
 *    transient. Refused: FAILED.
 * 6. READY: publish SessionReady, then record READY and published in one write. FAILED
 *    likewise with SessionFailed.
 *
 * A crash between any two steps leaves a record the redelivery resumes from: a pending attempt
 * is started again first with the same id, so the worst case is "exists already" and an
 * adoption. Transient failures throw {@link TransientPlacementError}; the last delivery SQS
 * allows records them instead (`giveUp`).
 */
import type { BridgeConfig } from '../config.ts';
import {
  AlreadyClaimedError,
  GameyeCallError,
  type PermanentReason,
  StateConflictError,
  TransientPlacementError,
} from '../errors.ts';
import type { MatchFoundV1 } from '../match-event.ts';
import type { Clock, EventPublisher, GameyePort, SessionStore } from '../ports.ts';
import type { SessionState, TicketPlayers } from '../session-record.ts';
import { Delivery } from './delivery.ts';
import type { PlacementState } from './placement-state.ts';

export { rejectInvalidMatch } from './reject.ts';

export interface PlacementDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly gameye: GameyePort;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly state: PlacementState;
}

export interface PlacementOptions {
  /** Lambda's `context.getRemainingTimeInMillis`: no region is tried without time to finish. */
  readonly remainingTimeMs?: () => number;
  /**
   * SQS will not deliver this message again (its receive count reached the queue's
   * `maxReceiveCount`). A transient failure then becomes final: the match is adopted if a
   * session of it runs, else recorded FAILED with a retryable reason and announced, so the
   * message is parked with its reason instead of reaching the DLQ with none.
   */
  readonly finalDelivery?: boolean;
  /**
   * What the matchmaker's own message said beyond the match: its tickets (recorded with the
   * claim and announced in SessionReady) and what its translation noted (published with
   * SessionReady by the delivery that places the match).
   */
  readonly origin?: MatchOrigin;
  /**
   * What the match still needs before regions can be chosen (FlexMatch: its players' latencies,
   * read from their tickets). Run at most once, and only by a delivery about to choose regions:
   * a duplicate of a match already settled never calls it. Throws only
   * {@link TransientPlacementError}.
   */
  readonly prepare?: (match: MatchFoundV1) => Promise<PreparedMatch>;
}

export interface PreparedMatch {
  readonly match: MatchFoundV1;
  /** Published with SessionReady after the origin's own notes. */
  readonly notes: readonly string[];
}

export interface MatchOrigin {
  readonly tickets?: readonly TicketPlayers[] | undefined;
  readonly notes?: readonly string[] | undefined;
}

/**
 * What became of one delivery. Transient failures are not an outcome: they throw
 * {@link TransientPlacementError} so the handler fails just that SQS record.
 */
export type PlacementOutcome =
  | {
      readonly kind: 'placed';
      readonly matchId: string;
      readonly sessionId: string;
      readonly region: string;
      readonly via: 'started' | 'adopted';
      /** Rank of the region in the choice; null when adopted from elsewhere. */
      readonly chosenRank: number | null;
    }
  | {
      /** An earlier delivery already placed this match; at most its event was published again. */
      readonly kind: 'duplicate';
      readonly matchId: string;
      readonly sessionId: string;
      readonly state: SessionState;
      readonly republished: boolean;
    }
  | {
      /** Permanent: SessionFailed was published (when the match id is known); send to the DLQ. */
      readonly kind: 'failed';
      readonly matchId: string | undefined;
      readonly sessionId: string | undefined;
      readonly reason: PermanentReason;
      readonly message: string;
      readonly identifier: string | undefined;
      /** Whether a FAILED record holds it (false for rejections before the claim). */
      readonly recorded: boolean;
      /** An earlier delivery already failed this match; this one only repeats the answer. */
      readonly repeated?: boolean;
    };

/** Place one match. Throws only {@link TransientPlacementError}. */
export async function placeMatch(
  match: MatchFoundV1,
  deps: PlacementDeps,
  options: PlacementOptions = {},
): Promise<PlacementOutcome> {
  const delivery = new Delivery(match, deps, options);
  let transient: TransientPlacementError;
  try {
    return await delivery.run();
  } catch (error) {
    transient = asTransient(error, delivery.ids);
  }
  // Another delivery of this match is at work right now: it owns the outcome, not this one.
  if (!options.finalDelivery || transient.reason === 'concurrent-update') throw transient;
  try {
    return await new Delivery(match, deps, { ...(options.origin ? { origin: options.origin } : {}) }).giveUp(
      transient,
    );
  } catch (error) {
    // Could not even record the failure (DynamoDB down): SQS's redrive keeps the message.
    throw asTransient(error, delivery.ids);
  }
}

export function asTransient(
  error: unknown,
  ids: { matchId: string; sessionId: string },
): TransientPlacementError {
  if (error instanceof TransientPlacementError) return error;
  const ctx = { ...ids, cause: error };
  if (error instanceof AlreadyClaimedError || error instanceof StateConflictError) {
    return new TransientPlacementError(
      'concurrent-update',
      `another delivery changed the record: ${error.message}`,
      ctx,
    );
  }
  if (error instanceof GameyeCallError) {
    const reason = error.kind === 'unauthorized' ? 'unauthorized' : 'gameye-unavailable';
    return new TransientPlacementError(reason, `Gameye call failed (${error.kind}): ${error.message}`, {
      ...ctx,
      identifier: error.identifier,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransientPlacementError('dependency-error', `placement interrupted: ${message}`, ctx);
}
