/**
 * Configuration of the local Gameye emulator: regions, images, tokens, quota, timings,
 * latency and fault injection. One zod schema is the single truth; a bad file fails fast
 * with the path of the offending field (`regions[2].capacity: expected a positive integer`).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { formatPath } from '../../lambdas/core/issues.ts';
import { GameyeScope, OPERATION_SCOPES } from '../../lambdas/gameye/contract.ts';
import defaultConfigJson from './default-config.json' with { type: 'json' };

/** The folder holding the emulator's own files; default fixture folders live below it. */
export const EMULATOR_DIR: string = dirname(fileURLToPath(import.meta.url));

const positiveInt = z
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });
const nonNegativeInt = z
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'expected a non-negative integer' });
const probability = z
  .number({ error: 'expected a probability between 0 and 1' })
  .min(0, { error: 'expected a probability between 0 and 1' })
  .max(1, { error: 'expected a probability between 0 and 1' })
  .default(0);
const ipv4 = z.ipv4({ error: 'expected an IPv4 address' });

/** Every operation of the Gameye Session API, by its OpenAPI `operationId`. */
export const GAMEYE_OPERATIONS = Object.keys(OPERATION_SCOPES) as (keyof typeof OPERATION_SCOPES)[];
const OperationName = z.enum(
  GAMEYE_OPERATIONS as [keyof typeof OPERATION_SCOPES, ...(keyof typeof OPERATION_SCOPES)[]],
);
/** An operation name, or `*` for the default that applies to operations without their own entry. */
export const FaultTarget = z.union([OperationName, z.literal('*')]);
export type FaultTarget = z.infer<typeof FaultTarget>;

export const RegionConfig = z
  .object({
    /** Region name as Gameye spells it (`eu-west-1`, `na-east`); also the `location` of requests. */
    name: z.string().min(1),
    /** Host machines' IPs; sessions are spread over them round-robin. */
    hosts: z.array(ipv4).min(1, { error: 'expected at least one host IP' }),
    /** IPv4s answered by `GET /available-location` for latency pings. @default hosts */
    pingIps: z.array(ipv4).optional(),
    /** How many sessions may be active at once; the next start answers 420. */
    capacity: positiveInt,
  })
  .strict();

export const ImagePortConfig = z
  .object({ container: z.int().min(1).max(65535), type: z.enum(['tcp', 'udp']) })
  .strict();

export const SyntheticArtifactConfig = z
  .object({
    /** Absolute path inside the container at which the generated file appears. */
    path: z.string().startsWith('/', { error: 'expected an absolute path' }),
    /** Size of the generated file; bytes are seeded by session id and path, so reproducible. */
    sizeBytes: nonNegativeInt,
  })
  .strict();

export const ImageConfig = z
  .object({
    name: z.string().min(1),
    /** Container ports each session exposes; each is mapped to a host port in 20000-30000. */
    ports: z.array(ImagePortConfig).min(1, { error: 'expected at least one port' }),
    /** Tags (versions) available per region; a region missing here does not host the image. */
    tags: z.record(z.string(), z.array(z.string().min(1)).min(1, { error: 'expected at least one tag' })),
    /** Tag used when a start names no `version` (if the region has it; else the region's first). */
    defaultTag: z.string().min(1),
    /**
     * Folder whose tree mirrors the container's file system, served by `GET /artifacts`.
     * Relative paths resolve against the config file's folder. @default `fixtures/<name>` beside the emulator
     */
    fixtureDir: z.string().min(1).optional(),
  })
  .strict();

export const LatencyConfig = z
  .object({ fixedMs: nonNegativeInt.default(0), jitterMs: nonNegativeInt.default(0) })
  .strict();

export const FaultConfig = z
  .object({
    /** Answer 500 with Gameye's error envelope. */
    error500Probability: probability,
    /** Answer 503 as a gateway would: an HTML body, no envelope. */
    error503Probability: probability,
    /** Answer 420 (no capacity / too many starts) with the envelope. */
    error420Probability: probability,
    /** Never answer; the client must time out. */
    hangProbability: probability,
    /** Destroy the socket without answering. */
    resetProbability: probability,
  })
  .strict()
  .refine(
    (f) =>
      f.error500Probability +
        f.error503Probability +
        f.error420Probability +
        f.hangProbability +
        f.resetProbability <=
      1,
    { error: 'expected fault probabilities summing to at most 1' },
  );
export type FaultConfig = z.infer<typeof FaultConfig>;
export type FaultConfigInput = z.input<typeof FaultConfig>;

export const TokenConfig = z
  .object({
    token: z.string().min(1),
    /** Scopes the token carries; omitted means every scope. */
    scopes: z.array(GameyeScope).optional(),
  })
  .strict();

export const EmulatorConfigSchema = z
  .object({
    /** Seed of the RNG behind fault injection and latency jitter, for reproducible tests. */
    seed: z.int().default(1),
    regions: z.array(RegionConfig).min(1, { error: 'expected at least one region' }),
    images: z.array(ImageConfig).min(1, { error: 'expected at least one image' }),
    /** Extra tokens, each with its own scopes (the emulator's main token has all scopes). */
    tokens: z.array(TokenConfig).default([]),
    /** Total sessions that may ever be started (until reset); the next start answers 402. */
    quota: z.object({ totalSessions: positiveInt }).strict().optional(),
    /** Virtual time from `created` to `running`. */
    startupDelayMs: nonNegativeInt.default(50),
    /** Virtual time after a stop during which artifacts can still be downloaded. */
    artifactRemovalDelayMs: nonNegativeInt.default(600_000),
    /** Period of heartbeat lines in the logs, and of pushes to `follow=true` streams. */
    logIntervalMs: positiveInt.default(1_000),
    artifacts: z
      .object({
        synthetic: SyntheticArtifactConfig.optional(),
        /**
         * The slow-artifact fault: pace every artifact download to this many bytes per second
         * (the bytes themselves are unchanged). @default unpaced
         */
        bytesPerSecond: positiveInt.optional(),
      })
      .strict()
      .default({}),
    latency: z
      .object({
        fixedMs: nonNegativeInt.default(0),
        jitterMs: nonNegativeInt.default(0),
        operations: z.partialRecord(OperationName, LatencyConfig).default({}),
      })
      .strict()
      .default({ fixedMs: 0, jitterMs: 0, operations: {} }),
    /** Fault injection per operation (`*` for all operations without their own entry). */
    faults: z.partialRecord(FaultTarget, FaultConfig).default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const regionNames = new Set<string>();
    config.regions.forEach((region, i) => {
      if (regionNames.has(region.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['regions', i, 'name'],
          message: `duplicate region "${region.name}"`,
        });
      }
      regionNames.add(region.name);
    });
    const imageNames = new Set<string>();
    config.images.forEach((image, i) => {
      if (imageNames.has(image.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['images', i, 'name'],
          message: `duplicate image "${image.name}"`,
        });
      }
      imageNames.add(image.name);
      for (const region of Object.keys(image.tags)) {
        if (!regionNames.has(region)) {
          ctx.addIssue({ code: 'custom', path: ['images', i, 'tags', region], message: 'unknown region' });
        }
      }
    });
  });

/** The emulator's parsed configuration. */
export type EmulatorConfig = z.infer<typeof EmulatorConfigSchema>;
/** What callers may pass: the JSON form, with defaults still to be applied. */
export type EmulatorConfigInput = z.input<typeof EmulatorConfigSchema>;

/** A configuration that failed validation; `message` lists every bad field by path. */
export class EmulatorConfigError extends Error {
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[], options?: ErrorOptions) {
    super(`invalid Gameye emulator config (${source}): ${issues.join('; ')}`, options);
    this.name = 'EmulatorConfigError';
    this.issues = issues;
  }
}

/** Validate a configuration; throws {@link EmulatorConfigError} naming each bad field. */
export function parseEmulatorConfig(input: unknown, source = 'inline'): EmulatorConfig {
  const result = EmulatorConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const path = formatPath(issue.path);
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    });
    throw new EmulatorConfigError(source, issues, { cause: result.error });
  }
  return result.data;
}

/**
 * Read and validate a JSON config file. Relative `fixtureDir`s are made absolute against the
 * file's folder, so the emulator can be started from any working directory.
 */
export function loadEmulatorConfig(path: string): EmulatorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EmulatorConfigError(path, [`cannot read JSON: ${(error as Error).message}`], { cause: error });
  }
  const config = parseEmulatorConfig(raw, path);
  const base = dirname(resolve(path));
  for (const image of config.images) {
    if (image.fixtureDir !== undefined && !isAbsolute(image.fixtureDir)) {
      image.fixtureDir = resolve(base, image.fixtureDir);
    }
  }
  return config;
}

/** The folder whose tree is served as the container file system of `image`. */
export function fixtureDirOf(image: EmulatorConfig['images'][number]): string {
  if (image.fixtureDir === undefined) return resolve(EMULATOR_DIR, 'fixtures', image.name);
  return isAbsolute(image.fixtureDir) ? image.fixtureDir : resolve(process.cwd(), image.fixtureDir);
}

/** The raw default configuration (`default-config.json`), for tests that tweak a copy. */
export const defaultEmulatorConfigInput: EmulatorConfigInput = defaultConfigJson as EmulatorConfigInput;

/** The default configuration, parsed: seven regions, two images. */
export const defaultEmulatorConfig: EmulatorConfig = parseEmulatorConfig(
  defaultConfigJson,
  'default-config.json',
);
