/**
 * Inbound events from the matchmaker, version 1. These schemas are the single definition of
 * the wire format: the JSON Schema handed to matchmaker teams is generated from them
 * (`json-schema.ts`).
 *
 * Unknown top-level and player fields are stripped, not rejected, so a matchmaker may add
 * fields of its own without breaking placements; a breaking change bumps `version`.
 */
import * as z from 'zod';
import { type FieldIssue, MatchEventError } from './errors.ts';
import { boundedIssues, fieldIssues, formatPath, MAX_REPORTED_ISSUES } from './issues.ts';

/** Largest body accepted, in UTF-8 bytes (SQS allows 256 KiB; nothing legitimate is bigger). */
export const MAX_BODY_BYTES = 256 * 1024;
/** Most players one match may carry. */
export const MAX_PLAYERS = 100;
/** Largest latency accepted, in ms. Anything above is a measurement error, not a player. */
export const MAX_LATENCY_MS = 10_000;
/** Most regions one player may report a latency for (matchmakers ping a handful). */
export const MAX_LATENCIES_PER_PLAYER = 64;
/** Most keys in an `env` or `labels` override, whatever a profile allows. */
export const MAX_OVERRIDE_KEYS = 64;
/** Longest `ttl` override, whatever a profile allows: 30 days, far beyond any match. */
export const MAX_TTL_MINUTES = 30 * 24 * 60;

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

const REGION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Longest region name accepted. */
export const MAX_REGION_NAME_CHARS = 64;

/** A region name as the matchmaker spells it (`eu-west-1`, `us-east`). */
export const RegionName = z
  .string()
  .min(1)
  .max(MAX_REGION_NAME_CHARS)
  .regex(REGION_NAME, 'expected a region name of letters, digits, - and _');

/** zod 4 numbers already refuse NaN and ±Infinity. */
export const LatencyMs = z
  .number()
  .min(0, 'expected a latency of at least 0 ms')
  .max(MAX_LATENCY_MS, `expected a latency of at most ${MAX_LATENCY_MS} ms`);

/**
 * {@link RegionName} and {@link LatencyMs} as plain tests, for the translations' loops over
 * thousands of native keys (a zod parse per key costs more than the rest of the translation);
 * the same pattern and bounds, and `test/formats/plain-checks.test.ts` holds them equal.
 */
export function isRegionName(name: string): boolean {
  return name.length <= MAX_REGION_NAME_CHARS && REGION_NAME.test(name);
}
export function isLatencyMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_LATENCY_MS;
}

/**
 * A map with at most `max` keys. zod has no key count for records, so it is a refinement, and
 * the JSON Schema gets `maxProperties` from the metadata.
 */
function atMostKeys<T extends z.ZodType<Record<string, unknown>>>(schema: T, max: number) {
  return schema
    .refine((map) => Object.keys(map).length <= max, { message: `expected at most ${max} keys` })
    .meta({ maxProperties: max });
}

/** A player of MatchFound or MatchBackfilled; built on first use like them (`z.lazy`). */
export const Player = z.lazy(() =>
  z.object({
    id: PlayerId,
    team: z.string().min(1).max(64).optional(),
    /** Round-trip ms per matchmaker region. Empty: this player does not constrain placement. */
    latencies: atMostKeys(z.record(RegionName, LatencyMs), MAX_LATENCIES_PER_PLAYER).default({}),
  }),
);
export type Player = z.infer<typeof Player>;

const TTL_GRAMMAR = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?$/;

/** Minutes in a ttl of Gameye's grammar (`2h30m` → 150); NaN when it does not match. */
export function ttlMinutes(ttl: string): number {
  const m = TTL_GRAMMAR.exec(ttl);
  if (!m) return Number.NaN;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/**
 * Gameye's ttl grammar (`1m`, `1h`, `2h30m`), at most {@link MAX_TTL_MINUTES}; the Gameye
 * adapter re-validates on the wire.
 */
export const TtlDuration = z
  .string()
  .regex(TTL_GRAMMAR, 'expected a duration such as 1m, 1h or 2h30m')
  .refine((ttl) => !(ttlMinutes(ttl) > MAX_TTL_MINUTES), {
    message: `expected a duration of at most ${MAX_TTL_MINUTES / 60}h`,
  });

export const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an env variable name');
export const LabelKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'expected a label key of up to 63 characters');

/*
 * MatchFound, MatchBackfilled and MatchEnded are built on first use (`z.lazy`): neither function
 * reads a message at cold start, the reaper never reads one, and building them at module load
 * cost every cold start of both.
 */
export const MatchFoundV1 = z.lazy(() =>
  z
    .object({
      version: z.literal(1),
      matchId: MatchId,
      /** Name of a profile in the bridge configuration: which image and settings to run. */
      profile: z.string().min(1).max(64),
      players: z.array(Player).min(1).max(MAX_PLAYERS),
      /** Overrides; each is accepted only when the profile's `allowOverrides` permits it. */
      env: atMostKeys(z.record(EnvName, z.string().min(1).max(4096)), MAX_OVERRIDE_KEYS).optional(),
      args: z.array(z.string().min(1).max(1024)).max(64).optional(),
      labels: atMostKeys(z.record(LabelKey, z.string().max(256)), MAX_OVERRIDE_KEYS).optional(),
      ttl: TtlDuration.optional(),
    })
    .superRefine(uniquePlayerIds),
);
export type MatchFoundV1 = z.infer<typeof MatchFoundV1>;

/** A duplicate player id is an issue at the second one's `players[i].id`. */
function uniquePlayerIds(
  event: { readonly players: readonly { readonly id: string }[] },
  ctx: z.RefinementCtx,
) {
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
}

/** A backfill's id, unique per match: with the match id, the key that makes a backfill idempotent. */
export const BackfillId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected letters, digits and . _ : - (starting alphanumeric)');

/**
 * New players for a match that is running: the bridge announces them with the session's host
 * and ports (PlayersAssigned) and starts no server. `(matchId, backfillId)` makes it idempotent.
 * Latencies are accepted (the same player shape as MatchFound) but unused: the server runs already.
 */
export const MatchBackfilledV1 = z.lazy(() =>
  z
    .object({
      type: z.literal('MatchBackfilled'),
      version: z.literal(1),
      matchId: MatchId,
      backfillId: BackfillId,
      players: z.array(Player).min(1).max(MAX_PLAYERS),
    })
    .superRefine(uniquePlayerIds),
);
export type MatchBackfilledV1 = z.infer<typeof MatchBackfilledV1>;

/**
 * The game backend's "match is over" signal, on the same queue as MatchFound: the bridge
 * stops the session and archives it at once. `type` tells it apart (MatchFound has none).
 */
export const MatchEndedV1 = z.lazy(() =>
  z.object({
    type: z.literal('MatchEnded'),
    version: z.literal(1),
    matchId: MatchId,
    reason: z.string().min(1).max(256).optional(),
  }),
);
export type MatchEndedV1 = z.infer<typeof MatchEndedV1>;

export type ParseResult<T> =
  | { readonly ok: true; readonly event: T }
  | { readonly ok: false; readonly error: MatchEventError };

/** What a document refused for its `__proto__` keys was: its format's name and its match id. */
export type DescribeDocument = (json: unknown) => {
  readonly format?: string | undefined;
  readonly matchId?: string | undefined;
};

/**
 * The one reader of inbound bodies, whatever their format: size, JSON, then `__proto__` keys.
 * Every format's translation starts from what this returns, so none of them sees a body that
 * skipped these checks. `describe` labels a document refused for its `__proto__` keys (each
 * format names itself and keeps its match id elsewhere); it reads own properties only.
 */
export function readJsonBody(
  body: string,
  describe: DescribeDocument = (json) => ({ matchId: salvageMatchId(json) }),
): { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly error: MatchEventError } {
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
  const protoKeys = protoKeyIssues(json);
  if (protoKeys.length > 0) {
    const { format, matchId } = describe(json);
    return {
      ok: false,
      error: new MatchEventError(protoKeys, { matchId, ...(format === undefined ? {} : { format }) }),
    };
  }
  return { ok: true, json };
}

/**
 * A document read by {@link readJsonBody}, against a schema. Issues are bounded
 * ({@link boundedIssues}) so the error's message stays short.
 */
export function parseDocument<T>(
  json: unknown,
  schema: z.ZodType<T>,
  context: { readonly format?: string; readonly matchId?: string | undefined } = {},
): ParseResult<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    error: new MatchEventError(boundedIssues(fieldIssues(parsed.error)), {
      matchId: 'matchId' in context ? context.matchId : salvageMatchId(json),
      cause: parsed.error,
      ...(context.format === undefined ? {} : { format: context.format }),
    }),
  };
}

/** The one entry point for the bridge's own messages: {@link readJsonBody}, then the schema. */
function parseBody<T>(body: string, schema: z.ZodType<T>): ParseResult<T> {
  const read = readJsonBody(body);
  return read.ok ? parseDocument(read.json, schema) : read;
}

const PROTO_KEY = '__proto__';
const PROTO_MESSAGE =
  'a key named __proto__ is not allowed: JavaScript treats it as the prototype, so its value would escape validation';

interface Visit {
  readonly value: unknown;
  readonly key: string | number | undefined;
  readonly parent: Visit | undefined;
}

/**
 * An issue per object key named `__proto__`, anywhere in the document (bounded, like every
 * issue list). `JSON.parse` makes
 * such a key an own property, which zod's object schemas skip without a word, so a value
 * under it would pass unchecked. Iterative (a 256 KiB body may nest 100,000 levels deep), and
 * paths are built only for the issues reported: the rest are counted.
 */
function protoKeyIssues(json: unknown): FieldIssue[] {
  const reported: FieldIssue[] = [];
  let found = 0;
  const pending: Visit[] = [{ value: json, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value !== 'object' || value === null) continue;
    const children: Visit[] = Array.isArray(value)
      ? value.map((item: unknown, index) => ({ value: item, key: index, parent: visit }))
      : Object.entries(value).map(([key, item]) => ({ value: item, key, parent: visit }));
    for (const child of children) {
      if (child.key !== PROTO_KEY) continue;
      found++;
      if (reported.length < MAX_REPORTED_ISSUES) {
        reported.push({ path: formatPath(pathOf(child)), message: PROTO_MESSAGE });
      }
    }
    // Reversed onto the stack, so issues come out in document order.
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i] as Visit);
  }
  return boundedIssues(reported, found);
}

function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
}

/**
 * The match id of an otherwise invalid event, when it is itself valid: it lets the bridge
 * answer a bad event with a SessionFailed the matchmaker can correlate. Own properties only.
 */
export function salvageMatchId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'matchId')) return undefined;
  const id = MatchId.safeParse((json as { matchId?: unknown }).matchId);
  return id.success ? id.data : undefined;
}

/** The backfill id of an otherwise invalid MatchBackfilled, when it is itself valid. Own properties only. */
export function salvageBackfillId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'backfillId')) return undefined;
  const id = BackfillId.safeParse((json as { backfillId?: unknown }).backfillId);
  return id.success ? id.data : undefined;
}

/** Parse an SQS body as MatchFound v1. Never throws: a bad body is a value, not an exception. */
export function parseMatchFound(body: string): ParseResult<MatchFoundV1> {
  return parseBody(body, MatchFoundV1);
}

/** The string `type` of a parsed document (own property only), or undefined. */
export function typeOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'type')) return undefined;
  const type = (json as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** Parse an SQS body as MatchEnded v1. */
export function parseMatchEnded(body: string): ParseResult<MatchEndedV1> {
  return parseBody(body, MatchEndedV1);
}

/** Parse an SQS body as MatchBackfilled v1. */
export function parseMatchBackfilled(body: string): ParseResult<MatchBackfilledV1> {
  return parseBody(body, MatchBackfilledV1);
}
