/**
 * Nakama → MatchFound v1, pure.
 *
 * Nakama's matchmaker hands a server module the matched users through the `matchmaker_matched`
 * hook (`registerMatchmakerMatched` in the TypeScript runtime, whose `MatchmakerResult` entries
 * hold `presence`, `properties` and `partyId`; `MatchmakerEntry` with `GetPresence`,
 * `GetProperties`, `GetTicket` and `GetPartyId` in Go). A `Presence` has `userId`, `sessionId`,
 * `username` and `node`. Nakama itself sends nothing anywhere, so the bridge defines the
 * message the studio's hook sends to the matches queue, `NakamaMatched` v1:
 *
 * ```json
 * { "type": "NakamaMatched", "version": 1, "matchId": "…",
 *   "entries": [ { "presence": { "userId": "…", "sessionId": "…", "username": "…", "node": "…" },
 *                  "properties": { "region": "eu", "latency_eu-west-1": 31 } } ] }
 * ```
 *
 * `entries` are the hook's `matches` argument as the TypeScript runtime gives them (a Go or Lua
 * module writes the same names). `matchId` is the studio's: the id of the match its hook
 * creates, or any id unique per match. The mapping (`sources.nakama`):
 *
 * - each entry is a player, `presence.userId` its id;
 * - its numeric properties `<latencyPrefix><region>` are its latencies in ms (Nakama keeps
 *   numeric properties as numbers and string properties as strings; others are ignored);
 * - the string property `teamProperty` is its team;
 * - the string property `profileProperty` names the profile (every entry that has it must
 *   agree), else `defaultProfile`.
 */
import * as z from 'zod';
import { MatchEventError } from '../errors.ts';
import { boundedIssues } from '../issues.ts';
import { MAX_PLAYERS, MatchId, PlayerId, parseDocument } from '../match-event.ts';
import { type FormatIssue, prefixedLatencies } from './prefixed-latencies.ts';
import type { NakamaSource } from './sources.ts';
import { checkedMatch, type Translated } from './translation.ts';

export const NAKAMA = 'Nakama';
export const NAKAMA_MATCHED = 'NakamaMatched';

/**
 * The message a Nakama `matchmaker_matched` hook sends to the bridge (JSON Schema published).
 * Built on first use (`z.lazy`), with the schemas of its parts: a deployment whose `sources`
 * name no `nakama` never reads one, and building it at module load cost every cold start.
 */
export const NakamaMatchedV1 = z.lazy(() => {
  const Presence = z.object({
    userId: PlayerId,
    sessionId: z.string().max(128).optional(),
    username: z.string().max(128).optional(),
    node: z.string().max(128).optional(),
  });
  const Entry = z.object({
    presence: Presence,
    /** String and numeric properties, merged as the hook receives them. */
    properties: z.record(z.string().max(256), z.union([z.string().max(4096), z.number()])).default({}),
    partyId: z.string().max(128).optional(),
  });
  return z
    .object({
      type: z.literal(NAKAMA_MATCHED),
      version: z.literal(1),
      matchId: MatchId,
      entries: z.array(Entry).min(1).max(MAX_PLAYERS),
    })
    .superRefine((message, ctx) => {
      const seen = new Set<string>();
      message.entries.forEach((entry, e) => {
        if (seen.has(entry.presence.userId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['entries', e, 'presence', 'userId'],
            message: `duplicate user id ${entry.presence.userId}`,
          });
        }
        seen.add(entry.presence.userId);
      });
    });
});
export type NakamaMatchedV1 = z.infer<typeof NakamaMatchedV1>;

type Issue = FormatIssue;

/** Translate one NakamaMatched message for a deployment with this `sources.nakama`. Never throws. */
export function translateNakama(json: unknown, source: NakamaSource): Translated {
  const parsed = parseDocument(json, NakamaMatchedV1, { format: NAKAMA });
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const message = parsed.event;
  const issues: Issue[] = [];
  const players = message.entries.map((entry, e) => {
    const team = stringProperty(entry, e, source.teamProperty, issues);
    return {
      id: entry.presence.userId,
      ...(team === undefined ? {} : { team }),
      latencies: prefixedLatencies({
        attributes: entry.properties,
        prefix: source.latencyPrefix,
        at: `entries[${e}].properties`,
        keysAre: 'properties',
        notANumber: 'expected a numeric property (a latency in ms)',
        issues,
      }),
    };
  });
  const profile = profileOf(message, source, issues);
  if (issues.length > 0) {
    return {
      kind: 'invalid',
      error: new MatchEventError(boundedIssues(issues), { format: NAKAMA, matchId: message.matchId }),
    };
  }
  const checked = checkedMatch({ version: 1, matchId: message.matchId, profile, players }, NAKAMA);
  return checked.ok
    ? { kind: 'match', match: checked.match, notes: [] }
    : { kind: 'invalid', error: checked.error };
}

type Entry = NakamaMatchedV1['entries'][number];

function stringProperty(
  entry: Entry,
  e: number,
  key: string | undefined,
  issues: Issue[],
): string | undefined {
  if (key === undefined || !Object.hasOwn(entry.properties, key)) return undefined;
  const value = entry.properties[key];
  if (typeof value === 'string' && value.length >= 1 && value.length <= 64) return value;
  issues.push({
    path: `entries[${e}].properties.${key}`,
    message: 'expected a string property of 1-64 characters',
  });
  return undefined;
}

function profileOf(message: NakamaMatchedV1, source: NakamaSource, issues: Issue[]): string {
  const key = source.profileProperty;
  let found: { readonly profile: string; readonly path: string } | undefined;
  if (key !== undefined) {
    message.entries.forEach((entry, e) => {
      if (!Object.hasOwn(entry.properties, key)) return;
      const value = entry.properties[key];
      const path = `entries[${e}].properties.${key}`;
      if (typeof value !== 'string' || value.length === 0) {
        issues.push({ path, message: 'expected a string property naming a profile' });
        return;
      }
      if (found === undefined) found = { profile: value, path };
      else if (found.profile !== value) {
        issues.push({ path, message: `names profile ${value}, but ${found.path} names ${found.profile}` });
      }
    });
  }
  if (found !== undefined) return found.profile;
  if (source.defaultProfile !== undefined) return source.defaultProfile;
  issues.push({
    path: `entries[0].properties.${key ?? ''}`,
    message: `expected the profile in the entries' properties.${key} (no defaultProfile is configured)`,
  });
  return '';
}
