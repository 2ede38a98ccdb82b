/**
 * What arrives on the matches queue, read at the edge: a match to place, a match that ended,
 * or a body that is neither. Placement and MatchEnded never see a raw body.
 */
import type { MatchEventError } from './errors.ts';
import {
  type MatchEndedV1,
  type MatchFoundV1,
  messageType,
  parseMatchEnded,
  parseMatchFound,
} from './match-event.ts';

export type InboundMessage =
  | { readonly kind: 'match-found'; readonly match: MatchFoundV1 }
  | { readonly kind: 'match-ended'; readonly ended: MatchEndedV1 }
  /** Not a message the bridge can act on; `error` names every bad field, `of` what it looked like. */
  | { readonly kind: 'invalid'; readonly of: 'MatchFound' | 'MatchEnded'; readonly error: MatchEventError };

/** Read one queue message. Never throws: a bad body is a value. */
export function readInbound(body: string): InboundMessage {
  if (messageType(body) === 'MatchEnded') {
    const ended = parseMatchEnded(body);
    return ended.ok
      ? { kind: 'match-ended', ended: ended.event }
      : { kind: 'invalid', of: 'MatchEnded', error: ended.error };
  }
  const found = parseMatchFound(body);
  return found.ok
    ? { kind: 'match-found', match: found.event }
    : { kind: 'invalid', of: 'MatchFound', error: found.error };
}
