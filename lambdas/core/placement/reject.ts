/**
 * Refusals before any record exists (an unreadable body, an unknown profile, a refused
 * override): nothing was started, so nothing is stored; SessionFailed is published when the
 * match can be named, so the matchmaker can correlate it.
 */
import { type MatchEventError, PermanentPlacementError } from '../errors.ts';
import { sessionFailedFor } from '../events.ts';
import { sessionIdFor } from '../session-id.ts';
import type { PlacementDeps, PlacementOutcome } from './place-match.ts';

/**
 * A body that is not a valid match: answered with SessionFailed when its match id could be
 * read (the matchmaker can correlate it), nothing stored.
 */
export async function rejectInvalidMatch(
  error: MatchEventError,
  deps: Pick<PlacementDeps, 'config' | 'publisher' | 'clock'>,
): Promise<Extract<PlacementOutcome, { kind: 'failed' }>> {
  const matchId = error.matchId;
  const sessionId = matchId === undefined ? undefined : sessionIdFor(matchId, deps.config.sessionNamespace);
  return reject(
    new PermanentPlacementError('invalid-event', error.message, { matchId, sessionId, cause: error }),
    deps,
  );
}

/** A refusal before any record exists: publish SessionFailed when the match can be named. */
export async function reject(
  error: PermanentPlacementError,
  deps: Pick<PlacementDeps, 'publisher' | 'clock'>,
): Promise<Extract<PlacementOutcome, { kind: 'failed' }>> {
  const { matchId, sessionId } = error;
  if (matchId !== undefined && sessionId !== undefined) {
    const failedAt = new Date(deps.clock.now()).toISOString();
    await deps.publisher.publish(
      sessionFailedFor({ matchId, sessionId, reason: error.reason, message: error.message, failedAt }),
    );
  }
  return {
    kind: 'failed',
    matchId,
    sessionId,
    reason: error.reason,
    message: error.message,
    identifier: undefined,
    recorded: false,
  };
}
