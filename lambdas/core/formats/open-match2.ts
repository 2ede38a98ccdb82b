/**
 * Open Match 2 → MatchFound v1, pure.
 *
 * What arrives is the protojson of a `Match` (googleforgames/open-match2,
 * `proto/v2/messages.proto`, package `open_match.v2`), as a director sends on what its match
 * functions returned. protojson spells fields in lowerCamelCase, so the bridge reads:
 *
 * - `Match`: `id`, `rosters` (name → `Roster`), `extensions` (name → `google.protobuf.Any`).
 * - `Roster`: `name`, `tickets`, `assignment`, `extensions`.
 * - `Ticket`: `id`, `expirationTime`, `attributes` (`FilterableData`: `tags`, `stringArgs`,
 *   `doubleArgs`, `creationTime`), `extensions`.
 *
 * protojson leaves out empty fields, so an empty roster has no `tickets` and a ticket without
 * filterable data no `attributes`. protojson readers also accept a field's proto name, and a
 * director that writes with `UseProtoNames` sends `string_args` and `double_args`: both
 * spellings are read. The mapping (`sources.openMatch2`):
 *
 * - the match id is the Match's `id`; each ticket is a player, its `id` the player id, and the
 *   roster it is in (the `rosters` key) its team;
 * - a ticket's `attributes.doubleArgs` keys `<latencyPrefix><region>` are its latencies in ms
 *   (other keys are not the bridge's business);
 * - the profile is the Match's `extensions[profileKey]` (an `Any` holding a
 *   `google.protobuf.StringValue`, whose protojson is `{"@type": "type.googleapis.com/
 *   google.protobuf.StringValue", "value": "…"}`), else its tickets' `stringArgs[profileKey]`
 *   (all that have it must agree), else `defaultProfile`.
 */
import * as z from 'zod';
import { MatchEventError } from '../errors.ts';
import { boundedIssues } from '../issues.ts';
import { MAX_PLAYERS, MatchId, PlayerId, parseDocument } from '../match-event.ts';
import { type FormatIssue, prefixedLatencies } from './prefixed-latencies.ts';
import type { OpenMatch2Source } from './sources.ts';
import { checkedMatch, type Translated } from './translation.ts';

export const OPEN_MATCH_2 = 'Open Match 2';

/** The `@type` of a `google.protobuf.StringValue` packed in an `Any`. */
export const STRING_VALUE_TYPE = 'type.googleapis.com/google.protobuf.StringValue';

/**
 * A `Match` as the bridge reads it; its JSON Schema is published
 * (`schemas/openmatch2-match.schema.json`). Other fields may be present and are ignored.
 *
 * Built on first use (`z.lazy`), with the schemas of its parts: a deployment whose `sources`
 * name no `openMatch2` never reads one, and building it at module load cost every cold start.
 */
export const OpenMatch2Match = z.lazy(() => {
  const Key = z.string().max(256);
  // Values the bridge does not read are bounded by the body's size only.
  const StringArgs = z.record(Key, z.string());
  /** protojson writes a double as a number, or as "NaN", "Infinity", "-Infinity". */
  const DoubleArgs = z.record(Key, z.union([z.number(), z.string()]));
  const FilterableData = z.object({
    tags: z.array(z.string()).optional(),
    stringArgs: StringArgs.optional(),
    doubleArgs: DoubleArgs.optional(),
    /** The proto names of the same fields (`UseProtoNames`). */
    string_args: StringArgs.optional(),
    double_args: DoubleArgs.optional(),
  });
  const Ticket = z.object({
    id: PlayerId,
    attributes: FilterableData.optional(),
  });
  /** A team name as MatchFound carries it. */
  const RosterName = z.string().min(1).max(64);
  const Roster = z.object({
    tickets: z.array(Ticket).max(MAX_PLAYERS).optional(),
  });
  return z
    .object({
      id: MatchId,
      rosters: z.record(RosterName, Roster),
      extensions: z.record(Key, z.unknown()).optional(),
    })
    .superRefine((match, ctx) => {
      const seen = new Set<string>();
      let count = 0;
      for (const [name, roster] of Object.entries(match.rosters)) {
        (roster.tickets ?? []).forEach((ticket, t) => {
          count++;
          if (seen.has(ticket.id)) {
            ctx.addIssue({
              code: 'custom',
              path: ['rosters', name, 'tickets', t, 'id'],
              message: `duplicate ticket id ${ticket.id}`,
            });
          }
          seen.add(ticket.id);
        });
      }
      if (count === 0)
        ctx.addIssue({ code: 'custom', path: ['rosters'], message: 'expected at least one ticket' });
      if (count > MAX_PLAYERS) {
        ctx.addIssue({
          code: 'custom',
          path: ['rosters'],
          message: `expected at most ${MAX_PLAYERS} tickets, got ${count}`,
        });
      }
    });
});
export type OpenMatch2Match = z.infer<typeof OpenMatch2Match>;

/** Whether a parsed document is an Open Match 2 Match (an own `rosters` object). */
export function looksLikeOpenMatch2(json: object): boolean {
  if (!Object.hasOwn(json, 'rosters')) return false;
  const rosters = (json as { rosters?: unknown }).rosters;
  return typeof rosters === 'object' && rosters !== null && !Array.isArray(rosters);
}

/** The Match's `id`, when valid (for a SessionFailed). */
export function openMatch2IdOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'id')) return undefined;
  const id = MatchId.safeParse((json as { id?: unknown }).id);
  return id.success ? id.data : undefined;
}

type Issue = FormatIssue;

/** Translate one Open Match 2 Match for a deployment with this `sources.openMatch2`. Never throws. */
export function translateOpenMatch2(json: unknown, source: OpenMatch2Source): Translated {
  const matchId = openMatch2IdOf(json);
  const parsed = parseDocument(json, OpenMatch2Match, { format: OPEN_MATCH_2, matchId });
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const match = parsed.event;
  const issues: Issue[] = [];
  const profile = profileOf(match, source, issues);
  const players = Object.entries(match.rosters).flatMap(([team, roster]) =>
    (roster.tickets ?? []).map((ticket, t) => ({
      id: ticket.id,
      team,
      latencies: prefixedLatencies({
        attributes: argsOf(ticket, 'doubleArgs').values,
        prefix: source.latencyPrefix,
        at: `rosters.${team}.tickets[${t}].attributes.${argsOf(ticket, 'doubleArgs').spelled}`,
        keysAre: 'keys',
        notANumber: 'expected a latency in ms (a number)',
        issues,
      }),
    })),
  );
  if (issues.length > 0) {
    return {
      kind: 'invalid',
      error: new MatchEventError(boundedIssues(issues), { format: OPEN_MATCH_2, matchId }),
    };
  }
  const checked = checkedMatch({ version: 1, matchId: match.id, profile, players }, OPEN_MATCH_2);
  return checked.ok
    ? { kind: 'match', match: checked.match, notes: [] }
    : { kind: 'invalid', error: checked.error };
}

function profileOf(match: OpenMatch2Match, source: OpenMatch2Source, issues: Issue[]): string {
  const key = source.profileKey;
  if (key !== undefined) {
    const extensions = match.extensions ?? {};
    if (Object.hasOwn(extensions, key)) {
      const value = stringValueOf(extensions[key]);
      if (value !== undefined) return value;
      issues.push({
        path: `extensions.${key}`,
        message: `expected an Any holding a google.protobuf.StringValue ({"@type": "${STRING_VALUE_TYPE}", "value": "<profile>"})`,
      });
      return '';
    }
    let found: { readonly profile: string; readonly path: string } | undefined;
    for (const [name, roster] of Object.entries(match.rosters)) {
      (roster.tickets ?? []).forEach((ticket, t) => {
        const { values: args, spelled } = argsOf(ticket, 'stringArgs');
        if (!Object.hasOwn(args, key)) return;
        const profile = args[key] ?? '';
        const path = `rosters.${name}.tickets[${t}].attributes.${spelled}.${key}`;
        if (found === undefined) found = { profile, path };
        else if (found.profile !== profile) {
          issues.push({
            path,
            message: `names profile ${profile}, but ${found.path} names ${found.profile}`,
          });
        }
      });
    }
    if (found !== undefined) return found.profile;
  }
  if (source.defaultProfile !== undefined) return source.defaultProfile;
  issues.push({
    path: `extensions.${key ?? ''}`,
    message: `expected the profile in extensions.${key} or in the tickets' attributes.stringArgs.${key} (no defaultProfile is configured)`,
  });
  return '';
}

/** The string inside a protojson `Any` of a `google.protobuf.StringValue`. */
function stringValueOf(any: unknown): string | undefined {
  if (typeof any !== 'object' || any === null) return undefined;
  const { '@type': type, value } = any as { '@type'?: unknown; value?: unknown };
  return Object.hasOwn(any, '@type') &&
    type === STRING_VALUE_TYPE &&
    Object.hasOwn(any, 'value') &&
    typeof value === 'string'
    ? value
    : undefined;
}

type Ticket = NonNullable<OpenMatch2Match['rosters'][string]['tickets']>[number];
type Attributes = NonNullable<Ticket['attributes']>;
const PROTO_NAMES = { doubleArgs: 'double_args', stringArgs: 'string_args' } as const;

/** A ticket's `doubleArgs` or `stringArgs`, in whichever spelling it came (the JSON name first). */
function argsOf<K extends keyof typeof PROTO_NAMES>(
  ticket: Ticket,
  name: K,
): { readonly values: NonNullable<Attributes[K]>; readonly spelled: string } {
  const attributes = ticket.attributes;
  const json = attributes?.[name];
  if (json !== undefined) return { values: json as NonNullable<Attributes[K]>, spelled: name };
  const proto = attributes?.[PROTO_NAMES[name]];
  if (proto !== undefined) return { values: proto as NonNullable<Attributes[K]>, spelled: PROTO_NAMES[name] };
  return { values: {} as NonNullable<Attributes[K]>, spelled: name };
}
