/**
 * The bridge configuration: parsed once at cold start into a frozen object, and validated by
 * the same schema during `cdk synth`, so a bad profile fails the deploy, not the first match.
 */
import * as z from 'zod';
import { ConfigError } from './errors.ts';
import { DEFAULT_SOURCES, profilesNamed, Sources } from './formats/sources.ts';
import { fieldIssues } from './issues.ts';
import {
  EnvName,
  LabelKey,
  MAX_OVERRIDE_KEYS,
  MAX_TTL_MINUTES,
  RegionName,
  TtlDuration,
} from './match-event.ts';

/** A Gameye label value naming this deployment; kept DNS-label-like so it is safe anywhere. */
export const DeploymentId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'expected lowercase letters, digits and -, at most 63');

const Ms = z.number().int().min(0);

/** The most shards `activeShards` may name: every record's shard is below it. */
export const MAX_ACTIVE_SHARDS = 100;

/** Most `artifactPaths` per profile: SessionEnded lists the missing ones, so they are bounded. */
export const MAX_ARTIFACT_PATHS = 32;
/** Longest artifact path (Linux's PATH_MAX is 4096; archived paths are far shorter). */
export const MAX_ARTIFACT_PATH_CHARS = 1_024;

export const ContainerPort = z.object({
  container: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']),
});

/** Keys one match may set in `env` and in `labels`, unless a profile says otherwise. */
export const DEFAULT_MAX_OVERRIDE_KEYS = 50;
/** Longest `ttl` a match may ask for when the profile sets neither `maxTtlMs` nor `maxLifetimeMs`. */
export const DEFAULT_MAX_TTL_MS = 24 * 60 * 60_000;

/**
 * Which per-match overrides a profile accepts from the MatchFound event, and how much of
 * them. Default: none.
 */
export const AllowOverrides = z
  .object({
    /** Env keys the event may set (never one of {@link DENIED_ENV}). */
    env: z.array(EnvName).optional(),
    args: z.boolean().optional(),
    /** Label keys the event may set. */
    labels: z.array(LabelKey).optional(),
    ttl: z.boolean().optional(),
    /** Most `env` keys one event may set. */
    maxEnvKeys: z.number().int().min(0).max(MAX_OVERRIDE_KEYS).default(DEFAULT_MAX_OVERRIDE_KEYS),
    /** Most `labels` keys one event may set. */
    maxLabelKeys: z.number().int().min(0).max(MAX_OVERRIDE_KEYS).default(DEFAULT_MAX_OVERRIDE_KEYS),
    /**
     * Longest `ttl` an event may ask for, in ms. Default: the profile's `maxLifetimeMs` (the
     * reaper stops the session then anyway), or 24 h when it has none.
     */
    maxTtlMs: Ms.min(60_000)
      .max(MAX_TTL_MINUTES * 60_000)
      .optional(),
  })
  .strict();
export type AllowOverrides = z.infer<typeof AllowOverrides>;

export const Profile = z
  .object({
    image: z.string().min(1),
    /** Pinned image tag. When set, only regions whose fleet holds it are eligible. */
    version: z.string().min(1).optional(),
    ttl: TtlDuration.optional(),
    env: z.record(EnvName, z.string().min(1)).optional(),
    args: z.array(z.string().min(1)).optional(),
    labels: z.record(LabelKey, z.string()).optional(),
    restart: z.boolean().optional(),
    /** Paths archived to S3 after the session stops (SessionEnded lists the missing ones). */
    artifactPaths: z
      .array(z.string().min(1).max(MAX_ARTIFACT_PATH_CHARS))
      .max(MAX_ARTIFACT_PATHS)
      .default([]),
    // prefault, not default: the empty object is parsed, so the limits get their defaults.
    allowOverrides: AllowOverrides.prefault({}),
    /** Ports the game listens on; documentation for subscribers, Gameye reports the real ones. */
    ports: z.array(ContainerPort).optional(),
    /** Reaper policy: stop when idle this long after the last player left. */
    idleTimeoutMs: Ms.optional(),
    /** Reaper policy: stop when no player joined within this long of READY. */
    joinGraceMs: Ms.optional(),
    /** Reaper policy: stop any session older than this. */
    maxLifetimeMs: Ms.optional(),
  })
  .strict();
export type Profile = z.infer<typeof Profile>;

export const LatencyPolicy = z
  .object({
    /** A region where any player exceeds this is over the cap. Absent: no cap. */
    capMs: z.number().int().min(1).max(10_000).optional(),
    /** When no region meets the cap: place in the best over-cap region anyway, or fail. */
    whenNoneMeetsCap: z.enum(['best-effort', 'fail']).default('best-effort'),
  })
  .strict();

export const BridgeConfig = z
  .object({
    deploymentId: DeploymentId,
    /** UUID namespace of this deployment's session ids (UUIDv5 of the match id). */
    sessionNamespace: z.uuid(),
    profiles: z.record(z.string().min(1).max(64), Profile).refine((p) => Object.keys(p).length > 0, {
      message: 'expected at least one profile',
    }),
    /**
     * The matchmakers whose messages this deployment accepts, and how each becomes a match
     * (`formats/sources.ts`). Absent: MatchFound v1 only.
     */
    sources: Sources.default(DEFAULT_SOURCES),
    /** Matchmaker region name → Gameye location. Unaliased names are used as-is. */
    regionAliases: z.record(RegionName, RegionName).default({}),
    latency: LatencyPolicy.default({ whenNoneMeetsCap: 'best-effort' }),
    /** Gameye locations, most preferred first: the order for matches without latency data and the final tie-break. */
    regionPreference: z.array(RegionName).default([]),
    /** Total time one placement may spend trying regions before it is retried later. */
    placementDeadlineMs: Ms.min(1000).default(20_000),
    /** A further region is tried only if at least this much time is left (one POST's worth). */
    attemptReserveMs: Ms.default(3_000),
    cache: z
      .object({
        /** Gameye's availability changes quickly and Gameye asks callers not to cache it: seconds at most. */
        availableLocationsTtlMs: Ms.max(30_000).default(5_000),
        tagTtlMs: Ms.default(60_000),
      })
      .strict()
      .default({ availableLocationsTtlMs: 5_000, tagTtlMs: 60_000 }),
    /** How long a region that answered 420 is skipped (Gameye suggests retrying in 2-5 s). */
    cooldownMs: Ms.default(5_000),
    /**
     * How long a match that failed for now (Gameye down, every region full) waits before its
     * next delivery: the placement function sets the message's visibility to
     * `firstDelaySeconds × 2^(receives - 1)`, at most `maxDelaySeconds`. With SQS's 5 receives
     * that spreads the retries over minutes (15 + 30 + 60 + 120 s by default), so a full fleet
     * has time to free capacity. The same values apply locally and in AWS.
     */
    retryBackoff: z
      .object({
        firstDelaySeconds: z.number().int().min(0).max(43_200).default(15),
        maxDelaySeconds: z.number().int().min(0).max(43_200).default(180),
      })
      .strict()
      .refine((b) => b.maxDelaySeconds >= b.firstDelaySeconds, {
        message: 'expected maxDelaySeconds ≥ firstDelaySeconds',
      })
      .default({ firstDelaySeconds: 15, maxDelaySeconds: 180 }),
    /**
     * How one session start is tried: a start that has not answered within `attemptTimeoutMs`
     * is sent again (it carries the match's own session id, so a start that did land answers
     * "exists already" and is adopted), up to `attempts` times. Gameye starts a session in about
     * half a second; waiting out a long timeout for a hung answer only delays the match. The
     * defaults come from `node bench/hanging-starts.bench.ts`: with 30% of starts hanging,
     * 1.5 s × 5 kept send → READY p99 under 8 s, where 2 s did not and 1 s cut slow starts.
     */
    start: z
      .object({
        attemptTimeoutMs: Ms.min(100).max(30_000).default(1_500),
        attempts: z.number().int().min(1).max(10).default(5),
      })
      .strict()
      .default({ attemptTimeoutMs: 1_500, attempts: 5 }),
    /**
     * Shards of the sparse "active" index: the reaper queries 0..N-1. Grow it rather than
     * lower it: records keep their shard, and those in a dropped shard wait until a run reads
     * it (`core/reaper/unread-shards.ts`) or their session shows unclaimed.
     */
    activeShards: z.number().int().min(1).max(MAX_ACTIVE_SHARDS).default(8),
    /**
     * Age after which the reaper treats a labelled session without an active record as an
     * orphan, and a PLACING record as abandoned. Must exceed the SQS retry window (visibility
     * timeout × maxReceiveCount = 180 s × 5 = 15 min): until then a redelivery may still
     * claim or adopt the session.
     */
    orphanGraceMs: Ms.min(60_000).default(20 * 60_000),
    /** How long ENDED and FAILED records are kept before DynamoDB's TTL removes them. */
    retentionDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const { path, profile } of profilesNamed(config.sources)) {
      if (!Object.hasOwn(config.profiles, profile)) {
        ctx.addIssue({ code: 'custom', path, message: `no profile named ${JSON.stringify(profile)}` });
      }
    }
    for (const [name, profile] of Object.entries(config.profiles)) {
      for (const key of profile.allowOverrides.env ?? []) {
        const denied = deniedEnvReason(key);
        if (denied !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', name, 'allowOverrides', 'env'],
            message: `${key} cannot be overridden by a match: ${denied}`,
          });
        }
      }
      for (const key of profile.allowOverrides.labels ?? []) {
        if (key.startsWith(RESERVED_LABEL_PREFIX)) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', name, 'allowOverrides', 'labels'],
            message: `${key} is set by the bridge and cannot be overridden`,
          });
        }
      }
    }
  });
export type BridgeConfig = z.infer<typeof BridgeConfig>;
/** The configuration as written (defaults not yet applied), e.g. in the CDK app. */
export type BridgeConfigInput = z.input<typeof BridgeConfig>;

/** Env the bridge sets on every session; an event may not override them. */
export const RESERVED_ENV: ReadonlySet<string> = new Set(['MATCH_ID', 'MATCH_PLAYERS']);

/**
 * Env names no match may set, whatever `allowOverrides` says, each with why. Matched without
 * regard to case: some container runtimes treat env names case-insensitively, and refusing
 * `path` as well as `PATH` costs nothing.
 */
export const DENIED_ENV: readonly {
  readonly pattern: RegExp;
  readonly name: string;
  readonly why: string;
}[] = [
  { pattern: /^GAMEYE_/i, name: 'GAMEYE_*', why: 'Gameye sets these (GAMEYE_SESSION_ID, GAMEYE_HOST)' },
  { pattern: /^LD_/i, name: 'LD_*', why: 'these tell the dynamic loader which code to load' },
  { pattern: /^NODE_OPTIONS$/i, name: 'NODE_OPTIONS', why: 'it loads code into a Node.js server' },
  { pattern: /^PATH$/i, name: 'PATH', why: 'it decides which programs run' },
  { pattern: /^MATCH_/i, name: 'MATCH_*', why: 'the bridge sets these (MATCH_ID, MATCH_PLAYERS)' },
];

/** Why no match may set this env name, or undefined when one may (if its profile allows it). */
export function deniedEnvReason(key: string): string | undefined {
  const rule = DENIED_ENV.find((r) => r.pattern.test(key));
  return rule === undefined ? undefined : `${rule.name} is reserved: ${rule.why}`;
}
/** Labels with this prefix identify the bridge's sessions; the reaper trusts them. */
export const RESERVED_LABEL_PREFIX = 'bridge-';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Parse and deep-freeze the configuration; a {@link ConfigError} names every bad field. */
export function parseBridgeConfig(input: unknown): Readonly<BridgeConfig> {
  const parsed = BridgeConfig.safeParse(input);
  if (!parsed.success) throw new ConfigError(fieldIssues(parsed.error), { cause: parsed.error });
  return deepFreeze(parsed.data);
}
