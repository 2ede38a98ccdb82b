/**
 * Inbound events from the matchmaker, version 1. These schemas are the single definition of
 * the wire format: the JSON Schema handed to matchmaker teams is generated from them
 * (`json-schema.ts`).
 *
 * Unknown top-level and player fields are stripped, not rejected, so a matchmaker may add
 * fields of its own without breaking placements; a breaking change bumps `version`.
 */
import * as z from 'zod';
import { MatchEventError } from './errors.ts';
import { fieldIssues } from './issues.ts';

/** Largest body accepted, in UTF-8 bytes (SQS allows 256 KiB; nothing legitimate is bigger). */
export const MAX_BODY_BYTES = 256 * 1024;
/** Most players one match may carry. */
export const MAX_PLAYERS = 100;
/** Largest latency accepted, in ms. Anything above is a measurement error, not a player. */
export const MAX_LATENCY_MS = 10_000;

/**
 * Match ids travel into Gameye labels, env values and DynamoDB keys, so they are kept to a
 * charset that is safe in all three.
 */
export const MatchId = z
  .string()
  .min(1)
  .max(128)
  // `orphan:` is reserved: the reaper keys the records of orphaned sessions `orphan:<sessionId>`.
  .regex(
    /^(?!orphan:)[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'expected letters, digits and . _ : - (starting alphanumeric, not "orphan:")',
  );

export const PlayerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@|-]+$/, 'expected letters, digits and . _ : @ | -');

/** A region name as the matchmaker spells it (`eu-west-1`, `us-east`). */
export const RegionName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected a region name of letters, digits, - and _');

/** zod 4 numbers already refuse NaN and ±Infinity. */
export const LatencyMs = z
  .number()
  .min(0, 'expected a latency of at least 0 ms')
  .max(MAX_LATENCY_MS, `expected a latency of at most ${MAX_LATENCY_MS} ms`);

export const Player = z.object({
  id: PlayerId,
  team: z.string().min(1).max(64).optional(),
  /** Round-trip ms per matchmaker region. Empty: this player does not constrain placement. */
  latencies: z.record(RegionName, LatencyMs).default({}),
});
export type Player = z.infer<typeof Player>;

/** Gameye's ttl grammar (`1m`, `1h`, `2h30m`); the Gameye adapter re-validates on the wire. */
export const TtlDuration = z
  .string()
  .regex(/^(?=\d)(?:(\d+)h)?(?:(\d+)m)?$/, 'expected a duration such as 1m, 1h or 2h30m');

export const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an env variable name');
export const LabelKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'expected a label key of up to 63 characters');

export const MatchFoundV1 = z
  .object({
    version: z.literal(1),
    matchId: MatchId,
    /** Name of a profile in the bridge configuration: which image and settings to run. */
    profile: z.string().min(1).max(64),
    players: z.array(Player).min(1).max(MAX_PLAYERS),
    /** Overrides; each is accepted only when the profile's `allowOverrides` permits it. */
    env: z.record(EnvName, z.string().min(1).max(4096)).optional(),
    args: z.array(z.string().min(1).max(1024)).max(64).optional(),
    labels: z.record(LabelKey, z.string().max(256)).optional(),
    ttl: TtlDuration.optional(),
  })
  .superRefine((event, ctx) => {
    const seen = new Set<string>();
    event.players.forEach((player, index) => {
      if (seen.has(player.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['players', index, 'id'],
          message: `duplicate player id ${player.id}`,
        });
      }
      seen.add(player.id);
    });
  });
export type MatchFoundV1 = z.infer<typeof MatchFoundV1>;

/**
 * The game backend's "match is over" signal, on the same queue as MatchFound: the bridge
 * stops the session and archives it at once. `type` tells it apart (MatchFound has none).
 */
export const MatchEndedV1 = z.object({
  type: z.literal('MatchEnded'),
  version: z.literal(1),
  matchId: MatchId,
  reason: z.string().min(1).max(256).optional(),
});
export type MatchEndedV1 = z.infer<typeof MatchEndedV1>;

export type ParseResult<T> =
  | { readonly ok: true; readonly event: T }
  | { readonly ok: false; readonly error: MatchEventError };

function parseBody<T>(body: string, schema: z.ZodType<T>): ParseResult<T> {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    return {
      ok: false,
      error: new MatchEventError([
        { path: '', message: `expected at most ${MAX_BODY_BYTES} bytes, got ${bytes}` },
      ]),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    return {
      ok: false,
      error: new MatchEventError([{ path: '', message: 'expected a JSON document' }], { cause }),
    };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    error: new MatchEventError(fieldIssues(parsed.error), {
      matchId: salvageMatchId(json),
      cause: parsed.error,
    }),
  };
}

/**
 * The match id of an otherwise invalid event, when it is itself valid: it lets the bridge
 * answer a bad event with a SessionFailed the matchmaker can correlate.
 */
export function salvageMatchId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('matchId' in json)) return undefined;
  const id = MatchId.safeParse(json.matchId);
  return id.success ? id.data : undefined;
}

/** Parse an SQS body as MatchFound v1. Never throws: a bad body is a value, not an exception. */
export function parseMatchFound(body: string): ParseResult<MatchFoundV1> {
  return parseBody(body, MatchFoundV1);
}

/**
 * The `type` of a queue message body: `MatchEnded`, or undefined for MatchFound (which has no
 * type) and for anything unreadable, which the MatchFound parser then rejects with its reasons.
 */
export function messageType(body: string): string | undefined {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) return undefined;
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json === 'object' && json !== null && 'type' in json && typeof json.type === 'string') {
      return json.type;
    }
  } catch {
    // Not JSON: the MatchFound path reports it.
  }
  return undefined;
}

/** Parse an SQS body as MatchEnded v1. */
export function parseMatchEnded(body: string): ParseResult<MatchEndedV1> {
  return parseBody(body, MatchEndedV1);
}
