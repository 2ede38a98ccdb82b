/**
 * The operator's `bridge stop`: MatchEnded's stop and the reaper's archive at once, so the
 * operator sees the record reach ENDED (the MatchEnded message path leaves the archive to the
 * reaper's next run instead).
 */
import type { MatchEventError } from '../errors.ts';
import { type MatchEndedOutcome, stopEndedMatch } from '../match-ended.ts';
import { parseMatchEnded } from '../match-event.ts';
import { type FinishOutcome, finishEnding } from './finish-ending.ts';
import type { ReaperDeps } from './reaper-context.ts';

/** {@link endMatch}'s answer: MatchEnded's, plus how the archive went when there was one. */
export type EndMatchOutcome =
  | { readonly kind: 'invalid'; readonly error: MatchEventError }
  | Exclude<MatchEndedOutcome, { readonly kind: 'ending' }>
  | (Extract<MatchEndedOutcome, { readonly kind: 'ending' }> & { readonly finished: FinishOutcome });

/**
 * End a match and archive it at once: MatchEnded's stop, then the reaper's archive of the
 * ENDING record. A step that fails leaves the record ENDING, and the reaper's next run resumes
 * it.
 */
export async function endMatch(body: string, deps: ReaperDeps): Promise<EndMatchOutcome> {
  const parsed = parseMatchEnded(body);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const outcome = await stopEndedMatch(parsed.event, deps);
  if (outcome.kind !== 'ending') return outcome;
  return { ...outcome, finished: await finishEnding(outcome.record, undefined, deps) };
}
