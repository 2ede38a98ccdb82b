/**
 * What arrives on the matches queue, read at the edge: a match to place (in whichever format
 * the deployment accepts, translated into MatchFound v1), a match that ended, a backfill, a
 * message to acknowledge and drop, or one the bridge refuses. Placement, MatchEnded and
 * backfills never see a raw body nor a vendor format.
 *
 * Every body goes through the one JSON reader (`readJsonBody`: size, JSON, `__proto__` keys)
 * first; its format is then told from its shape, checked against `sources`, and translated.
 */
import type { MatchEventError } from './errors.ts';
import { flexMatchIdOf, looksLikeFlexMatch, translateFlexMatch } from './formats/flexmatch.ts';
import { NAKAMA_MATCHED, translateNakama } from './formats/nakama.ts';
import { looksLikeOpenMatch2, openMatch2IdOf, translateOpenMatch2 } from './formats/open-match2.ts';
import { accepts, DEFAULT_SOURCES, FORMAT_INFO, type Format, type Sources } from './formats/sources.ts';
import type { RefusalReason, Translated } from './formats/translation.ts';
import {
  MatchBackfilledV1 as MatchBackfilledSchema,
  type MatchBackfilledV1,
  MatchEndedV1 as MatchEndedSchema,
  type MatchEndedV1,
  MatchFoundV1 as MatchFoundSchema,
  type MatchFoundV1,
  parseDocument,
  readJsonBody,
  salvageBackfillId,
  salvageMatchId,
  typeOf,
} from './match-event.ts';
import type { TicketPlayers } from './session-record.ts';

/** What a message is, by its shape: one of the match formats, or a control message. */
export type Kind = Format | 'match-ended' | 'match-backfilled';

export type InboundMessage =
  | {
      readonly kind: 'match';
      readonly format: Format;
      readonly match: MatchFoundV1;
      readonly notes: readonly string[];
      /** FlexMatch: the tickets whose latencies placement looks up (`match` has none yet). */
      readonly tickets?: readonly TicketPlayers[];
    }
  | { readonly kind: 'match-ended'; readonly ended: MatchEndedV1 }
  | {
      readonly kind: 'match-backfilled';
      /** The matchmaker's format it came in, or undefined for MatchBackfilled v1 itself. */
      readonly format: Format | undefined;
      readonly backfill: MatchBackfilledV1;
    }
  /** A message of an accepted format that asks nothing of the bridge: acknowledged, dropped. */
  | {
      readonly kind: 'ignored';
      readonly format: Format;
      readonly what: string;
      readonly matchId: string | undefined;
    }
  /** Not this deployment's to place: parked in the DLQ with `reason`, no event. */
  | {
      readonly kind: 'refused';
      readonly format: Format;
      readonly reason: RefusalReason;
      readonly message: string;
      readonly matchId: string | undefined;
    }
  /** Not a message the bridge can act on; `error` names every bad field, `of` what it looked like. */
  | {
      readonly kind: 'invalid';
      readonly of: 'match' | 'MatchEnded' | 'MatchBackfilled';
      /** The match format it was read as (undefined for the control messages). */
      readonly format: Format | undefined;
      readonly error: MatchEventError;
      /** A MatchBackfilled's backfill id, when it could be read. */
      readonly backfillId?: string | undefined;
    };

/** A parsed document's kind, from its shape (own properties only). Anything else reads as MatchFound. */
export function kindOf(json: unknown): Kind {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'match-found';
  switch (typeOf(json)) {
    case 'MatchEnded':
      return 'match-ended';
    case 'MatchBackfilled':
      return 'match-backfilled';
    case NAKAMA_MATCHED:
      return 'nakama';
  }
  // MatchFound v1 says so with its `version: 1` (a number; FlexMatch's envelope has "0", Open
  // Match 2 none), whatever fields of its own a matchmaker added (`rosters`, `source`, …).
  if (Object.hasOwn(json, 'version') && (json as { version?: unknown }).version === 1) return 'match-found';
  if (looksLikeFlexMatch(json)) return 'flexmatch';
  if (looksLikeOpenMatch2(json)) return 'openmatch2';
  return 'match-found';
}

/** Read one queue message for a deployment with these `sources`. Never throws: a bad body is a value. */
export function readInbound(body: string, sources: Sources = DEFAULT_SOURCES): InboundMessage {
  // What the refused document looked like, when the reader refuses one for its `__proto__` keys.
  const refused: { kind: Kind; backfillId?: string | undefined } = { kind: 'match-found' };
  const read = readJsonBody(body, (json) => {
    const kind = kindOf(json);
    refused.kind = kind;
    refused.backfillId = kind === 'match-backfilled' ? salvageBackfillId(json) : undefined;
    const format = isFormat(kind) && kind !== 'match-found' ? FORMAT_INFO[kind].name : undefined;
    return { matchId: matchIdOf(kind, json), ...(format === undefined ? {} : { format }) };
  });
  if (!read.ok) {
    const { kind, backfillId } = refused;
    return {
      kind: 'invalid',
      of: controlOf(kind),
      format: isFormat(kind) ? kind : undefined,
      error: read.error,
      ...(backfillId === undefined ? {} : { backfillId }),
    };
  }
  const kind = kindOf(read.json);
  switch (kind) {
    case 'match-ended': {
      const ended = parseDocument(read.json, MatchEndedSchema);
      return ended.ok
        ? { kind: 'match-ended', ended: ended.event }
        : { kind: 'invalid', of: 'MatchEnded', format: undefined, error: ended.error };
    }
    case 'match-backfilled': {
      const backfilled = parseDocument(read.json, MatchBackfilledSchema);
      return backfilled.ok
        ? { kind: 'match-backfilled', format: undefined, backfill: backfilled.event }
        : {
            kind: 'invalid',
            of: 'MatchBackfilled',
            format: undefined,
            error: backfilled.error,
            backfillId: salvageBackfillId(read.json),
          };
    }
    default:
      return readMatch(kind, read.json, sources);
  }
}

/** A document in one of the match formats, translated if the deployment accepts the format. */
function readMatch(format: Format, json: unknown, sources: Sources): InboundMessage {
  if (!accepts(sources, format)) {
    return { kind: 'refused', format, ...dropKind(notAccepted(format, matchIdOf(format, json))) };
  }
  return fromTranslation(format, translate(format, json, sources));
}

/** The translation of a document in `format` (which `sources` accepts). */
export function translate(format: Format, json: unknown, sources: Sources): Translated {
  switch (format) {
    case 'flexmatch':
      return sources.flexMatch ? translateFlexMatch(json, sources.flexMatch) : notAccepted(format);
    case 'openmatch2':
      return sources.openMatch2 ? translateOpenMatch2(json, sources.openMatch2) : notAccepted(format);
    case 'nakama':
      return sources.nakama ? translateNakama(json, sources.nakama) : notAccepted(format);
    case 'match-found': {
      const found = parseDocument(json, MatchFoundSchema);
      return found.ok
        ? { kind: 'match', match: found.event, notes: [] }
        : { kind: 'invalid', error: found.error };
    }
  }
}

function notAccepted(format: Format, matchId?: string): Extract<Translated, { kind: 'refused' }> {
  const { name, source } = FORMAT_INFO[format];
  return {
    kind: 'refused',
    reason: 'format-not-accepted',
    message: `this deployment does not accept ${name} messages: its bridge config names no sources.${source}`,
    matchId,
  };
}

function fromTranslation(format: Format, translated: Translated): InboundMessage {
  switch (translated.kind) {
    case 'match':
      return {
        kind: 'match',
        format,
        match: translated.match,
        notes: translated.notes,
        ...(translated.tickets === undefined ? {} : { tickets: translated.tickets }),
      };
    case 'backfill':
      return { kind: 'match-backfilled', format, backfill: translated.backfill };
    case 'ignored':
      return { kind: 'ignored', format, what: translated.what, matchId: translated.matchId };
    case 'refused':
      return { kind: 'refused', format, ...dropKind(translated) };
    case 'invalid':
      return 'backfillId' in translated
        ? {
            kind: 'invalid',
            of: 'MatchBackfilled',
            format,
            error: translated.error,
            backfillId: translated.backfillId,
          }
        : { kind: 'invalid', of: 'match', format, error: translated.error };
  }
}

function dropKind<T extends { readonly kind: string }>(value: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}

/** The match id of a document of this kind, where its format keeps it, when valid. */
function matchIdOf(kind: Kind, json: unknown): string | undefined {
  if (kind === 'flexmatch') return flexMatchIdOf(json);
  if (kind === 'openmatch2') return openMatch2IdOf(json);
  return salvageMatchId(json);
}

function isFormat(kind: Kind): kind is Format {
  return kind !== 'match-ended' && kind !== 'match-backfilled';
}

function controlOf(kind: Kind): 'match' | 'MatchEnded' | 'MatchBackfilled' {
  return kind === 'match-ended' ? 'MatchEnded' : kind === 'match-backfilled' ? 'MatchBackfilled' : 'match';
}
