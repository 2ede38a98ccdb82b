/**
 * Gameye Session API (v1.2.1, "API V2") as zod schemas: the one source of truth for the
 * wire format, shared by our client (which parses every response with them) and the local
 * emulator (which parses every request with them). Mirrors Gameye's published OpenAPI
 * description; the contract tests (`test/contract/`) check both sides against that file.
 *
 * Request schemas are `.strict()` where the spec says `additionalProperties: false`, so the
 * emulator answers 422 exactly where Gameye would. Response schemas are not strict: a field
 * Gameye adds tomorrow must not break placements in production.
 *
 * The object and record schemas are built on first use (`z.lazy`): a cold start sends no
 * request, and building all of them at module load cost every cold start of both functions.
 */
import * as z from 'zod';

/** Token scopes Gameye issues. A token lacking the one an operation needs answers 403. */
export const GameyeScope = z.enum([
  'session:start',
  'session:read',
  'session:stop',
  'artifact:read',
  'regions:read',
  'logs:read',
]);
export type GameyeScope = z.infer<typeof GameyeScope>;

export const SessionStatus = z.enum([
  'created',
  'running',
  'restarting',
  'exited',
  'dead',
  'draining',
  'shuttingdown',
  'server_unreachable',
]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Gameye's `ttl` grammar: hours and/or minutes, e.g. `1m`, `1h`, `2h30m`. */
export const TTL_PATTERN = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?$/;

export const Port = z.lazy(() =>
  z.object({
    type: z.enum(['tcp', 'udp']),
    container: z.number().int().min(1).max(65535),
    host: z.number().int().min(1).max(65535),
  }),
);
export type Port = z.infer<typeof Port>;

/** `POST /session` body (`SessionRun`). */
export const SessionRunRequest = z.lazy(() =>
  z
    .object({
      id: z.string().min(1).optional(),
      location: z.string().min(1),
      image: z.string().min(1),
      env: z.record(z.string(), z.string().min(1)).optional(),
      args: z.array(z.string().min(1)).optional(),
      restart: z.boolean().optional(),
      labels: z.record(z.string(), z.string()).optional(),
      version: z.string().optional(),
      ttl: z.string().regex(TTL_PATTERN, 'expected a duration such as 1m, 1h or 2h30m').optional(),
      external_id: z.string().optional(),
    })
    .strict(),
);
export type SessionRunRequest = z.infer<typeof SessionRunRequest>;

/** `POST /session` 201 (`SessionRunOk`). */
export const SessionRunOk = z.lazy(() =>
  z.object({
    id: z.string().optional(),
    host: z.string(),
    ports: z.array(Port),
  }),
);
export type SessionRunOk = z.infer<typeof SessionRunOk>;

/**
 * Labels as Gameye reports them on list/describe: not the caller's map, but two JSON-encoded
 * strings, `env` (what Gameye injected: GAMEYE_SESSION_ID, GAMEYE_HOST) and `tags` (the
 * caller's labels), as in the spec's examples.
 */
export const ReportedLabels = z.lazy(() => z.record(z.string(), z.string()));

export const SessionListEntry = z.lazy(() =>
  z.object({
    id: z.string(),
    image: z.string(),
    tag: z.string().optional(),
    location: z.string(),
    host: z.string(),
    created: z.number(),
    port: z.record(z.string(), z.number()),
    status: SessionStatus.optional(),
    labels: ReportedLabels.optional(),
    playerCount: z.number().int().optional(),
  }),
);
export type SessionListEntry = z.infer<typeof SessionListEntry>;

export const SessionListOk = z.lazy(() => z.object({ sessions: z.array(SessionListEntry) }));
export type SessionListOk = z.infer<typeof SessionListOk>;

export const DescribedSession = z.lazy(() =>
  z.object({
    id: z.string(),
    image: z.string(),
    tag: z.string(),
    location: z.string(),
    host: z.string(),
    created: z.number(),
    port: z.record(z.string(), z.number()),
    status: SessionStatus,
    labels: ReportedLabels,
    players: z.object({ joined: z.array(z.string()), joinedCount: z.number().int() }),
  }),
);
export type DescribedSession = z.infer<typeof DescribedSession>;

export const JoinSessionRequest = z.lazy(() =>
  z.object({ session: z.string(), players: z.array(z.string()) }).strict(),
);
export type JoinSessionRequest = z.infer<typeof JoinSessionRequest>;
export const JoinSessionOk = z.lazy(() =>
  z.object({ count: z.number().int(), players: z.array(z.string()) }),
);
export type JoinSessionOk = z.infer<typeof JoinSessionOk>;

export const LeaveSessionRequest = z.lazy(() => z.object({ players: z.array(z.string()) }).strict());
export type LeaveSessionRequest = z.infer<typeof LeaveSessionRequest>;
export const LeaveSessionOk = z.lazy(() =>
  z.object({ count: z.number().int(), players: z.array(z.string()) }),
);
export type LeaveSessionOk = z.infer<typeof LeaveSessionOk>;

export const AvailableLocationsEntry = z.lazy(() => z.object({ id: z.string(), ips: z.array(z.string()) }));
export type AvailableLocationsEntry = z.infer<typeof AvailableLocationsEntry>;
export const AvailableLocationsOk = z.lazy(() => z.object({ locations: z.array(AvailableLocationsEntry) }));
export type AvailableLocationsOk = z.infer<typeof AvailableLocationsOk>;

export const TagOk = z.lazy(() => z.object({ exists: z.boolean() }));
export type TagOk = z.infer<typeof TagOk>;

export const FieldViolation = z.lazy(() => z.object({ field: z.string(), description: z.string() }));
export type FieldViolation = z.infer<typeof FieldViolation>;

/** Gameye's error envelope. Gateway errors (500/503/504) may arrive without it. */
export const ErrorResponse = z.lazy(() =>
  z.object({
    statusCode: z.number().int(),
    code: z.string(),
    message: z.string(),
    details: z.string(),
    path: z.string(),
    identifier: z.string(),
    timestamp: z.string(),
    violations: z.array(FieldViolation).optional(),
  }),
);
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** The scope each operation needs (from the spec's `security`; join/leave declare none). */
export const OPERATION_SCOPES = {
  'session-run': 'session:start',
  'session-list': 'session:read',
  'describe-session': 'session:read',
  'session-stop': 'session:stop',
  'join-session': undefined,
  'leave-session': undefined,
  artifacts: 'artifact:read',
  'get-available-locations': 'regions:read',
  'tag-exists': 'regions:read',
  'stream-logs': 'logs:read',
} as const satisfies Record<string, GameyeScope | undefined>;
export type GameyeOperation = keyof typeof OPERATION_SCOPES;

/**
 * Query of `GET /session`. `filter[k]=v` keeps sessions whose label (caller tag) `k` equals
 * `v`, or whose `status`/`image`/`tag`/`location`/`host` equals `v` when `k` names one of
 * those fields; `filterNot[k]=v` (V2) excludes them. `playerCount[lt|gt]` compares strictly.
 */
export const ListSessionsQuery = z.lazy(() =>
  z.object({
    all: z.boolean().optional(),
    location: z.string().optional(),
    image: z.string().optional(),
    tag: z.string().optional(),
    host: z.string().optional(),
    playerCount: z.object({ lt: z.number().int().optional(), gt: z.number().int().optional() }).optional(),
    filter: z.record(z.string(), z.string()).optional(),
    filterNot: z.record(z.string(), z.string()).optional(),
  }),
);
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

/** Parse Gameye's ttl (`2h30m`) into milliseconds; undefined when it does not match. */
export function parseTtl(ttl: string): number | undefined {
  const m = TTL_PATTERN.exec(ttl);
  if (!m) return undefined;
  const hours = Number(m[1] ?? 0);
  const minutes = Number(m[2] ?? 0);
  const ms = (hours * 60 + minutes) * 60_000;
  return ms > 0 ? ms : 60_000; // Gameye rounds anything under a minute up to one minute.
}
