/**
 * What a matchmaker's message becomes at the edge, whatever its format: a match (MatchFound v1,
 * the one shape placement knows), a backfill (MatchBackfilled v1), something to acknowledge and
 * drop, a refusal of the whole message, or an invalid message with every bad field named in the
 * matchmaker's own terms. Translations are pure and never throw: a bad message is a value.
 */
import { MatchEventError } from '../errors.ts';
import { type MatchBackfilledV1, MatchFoundV1, parseDocument, salvageMatchId } from '../match-event.ts';
import type { TicketPlayers } from '../session-record.ts';

/** Why a whole message is refused without a SessionFailed: it is not this deployment's to place. */
export type RefusalReason =
  /** The deployment's `sources` do not name the message's format. */
  | 'format-not-accepted'
  /** A FlexMatch event of a matchmaking configuration `sources.flexMatch` does not name. */
  | 'unknown-configuration';

export type Translated =
  | {
      readonly kind: 'match';
      /** Valid MatchFound v1; for FlexMatch, without latencies until they are looked up. */
      readonly match: MatchFoundV1;
      /** What a person should know about the translation (published in SessionReady). */
      readonly notes: readonly string[];
      /** FlexMatch only: the match's tickets, whose latencies placement looks up. */
      readonly tickets?: readonly TicketPlayers[];
    }
  | { readonly kind: 'backfill'; readonly backfill: MatchBackfilledV1 }
  /** A message of the format that asks nothing of the bridge (FlexMatch's other event types). */
  | { readonly kind: 'ignored'; readonly what: string; readonly matchId: string | undefined }
  | {
      readonly kind: 'refused';
      readonly reason: RefusalReason;
      readonly message: string;
      readonly matchId: string | undefined;
    }
  | {
      readonly kind: 'invalid';
      /** For an invalid backfill, `error.matchId` is the running match it was for. */
      readonly error: MatchEventError;
      /** Set when the message was a backfill: its id, when it could be read. */
      readonly backfillId?: string | undefined;
    };

/** Most notes one translation publishes, and their length: they travel in SessionReady. */
export const MAX_NOTES = 10;
export const MAX_NOTE_CHARS = 512;

/**
 * The MatchFound a translation built, checked against MatchFound v1 itself. Each format's
 * schema already holds the native message to the bridge's bounds with the native field names,
 * so this never fails for a message that passed it (the property tests check that); it is the
 * guard that keeps a translation bug from reaching placement, and names the match field.
 */
export function checkedMatch(
  candidate: unknown,
  format: string,
):
  | { readonly ok: true; readonly match: MatchFoundV1 }
  | { readonly ok: false; readonly error: MatchEventError } {
  const parsed = parseDocument(candidate, MatchFoundV1, { format, matchId: salvageMatchId(candidate) });
  if (parsed.ok) return { ok: true, match: parsed.event };
  const issues = parsed.error.issues.map((i) => ({ ...i, path: `(as MatchFound) ${i.path}` }));
  return {
    ok: false,
    error: new MatchEventError(issues, { format, matchId: parsed.error.matchId, cause: parsed.error.cause }),
  };
}
