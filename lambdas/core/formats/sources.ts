/**
 * Which matchmakers' messages a deployment accepts (`sources` in the bridge configuration),
 * and how each one's messages become a match. A deployment accepts only the formats it names;
 * absent `sources` means MatchFound v1 alone, as before formats existed. The bridge's control
 * messages (MatchEnded v1, MatchBackfilled v1) are always accepted.
 */
import * as z from 'zod';

/** A profile name, as in `profiles`. */
const ProfileName = z.string().min(1).max(64);

/**
 * A GameLift matchmaking configuration name: at most 128 characters of letters, digits, `-`
 * and `.` (GameLift API reference, `MatchmakingTicket.ConfigurationName`).
 */
export const FlexMatchConfigurationName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9.-]+$/, 'expected a matchmaking configuration name (letters, digits, - and .)');

/** A key prefix or property name chosen by the studio. */
const Key = z.string().min(1).max(128);

/*
 * The three sources below are built on first use (`z.lazy`): the configuration is parsed at
 * every cold start, and a source it does not name is never read, so building its schema at
 * module load cost every cold start.
 */
export const FlexMatchSource = z.lazy(() =>
  z
    .object({
      /** Matchmaking configuration name → the profile its matches run. */
      configurations: z
        .record(FlexMatchConfigurationName, z.object({ profile: ProfileName }).strict())
        .refine((c) => Object.keys(c).length > 0, { message: 'expected at least one configuration' }),
    })
    .strict(),
);
export type FlexMatchSource = z.infer<typeof FlexMatchSource>;

export const OpenMatch2Source = z.lazy(() =>
  z
    .object({
      /** A ticket's `attributes.doubleArgs` key `<prefix><region>` holds its latency to `<region>` in ms. */
      latencyPrefix: Key.default('latency-ms.'),
      /**
       * The profile: the match's `extensions[profileKey]` (a `google.protobuf.StringValue`), else
       * its tickets' `attributes.stringArgs[profileKey]`. Absent: always `defaultProfile`.
       */
      profileKey: Key.optional(),
      /** The profile of a match that names none. */
      defaultProfile: ProfileName.optional(),
    })
    .strict()
    .refine((s) => s.profileKey !== undefined || s.defaultProfile !== undefined, {
      message: 'expected profileKey, defaultProfile or both: a match needs a profile',
    }),
);
export type OpenMatch2Source = z.infer<typeof OpenMatch2Source>;

export const NakamaSource = z.lazy(() =>
  z
    .object({
      /** A numeric property `<prefix><region>` of an entry holds its latency to `<region>` in ms. */
      latencyPrefix: Key.default('latency_'),
      /** The string property naming an entry's team. Absent: players carry no team. */
      teamProperty: Key.optional(),
      /** The string property naming the profile (every entry that has it must agree). */
      profileProperty: Key.optional(),
      /** The profile of a match whose entries name none. */
      defaultProfile: ProfileName.optional(),
    })
    .strict()
    .refine((s) => s.profileProperty !== undefined || s.defaultProfile !== undefined, {
      message: 'expected profileProperty, defaultProfile or both: a match needs a profile',
    }),
);
export type NakamaSource = z.infer<typeof NakamaSource>;

export const DEFAULT_SOURCES = { matchFound: {} } as const;

export const Sources = z
  .object({
    /** MatchFound v1, the bridge's own format. */
    matchFound: z.object({}).strict().optional(),
    /** Amazon GameLift FlexMatch (standalone): the EventBridge events of these configurations. */
    flexMatch: FlexMatchSource.optional(),
    /** Open Match 2: the protojson of a `Match`. */
    openMatch2: OpenMatch2Source.optional(),
    /** Nakama: the matched entries a `matchmaker_matched` hook forwards (`NakamaMatched` v1). */
    nakama: NakamaSource.optional(),
  })
  .strict()
  .refine((s) => Object.values(s).some((v) => v !== undefined), {
    message: 'expected at least one source (matchFound, flexMatch, openMatch2, nakama)',
  });
export type Sources = z.infer<typeof Sources>;

/** The formats a message can come in, as the CLI and the logs name them. */
export const FORMATS = ['match-found', 'flexmatch', 'openmatch2', 'nakama'] as const;
export type Format = (typeof FORMATS)[number];

/** How a format is named to a person, and the `sources` key that accepts it. */
export const FORMAT_INFO: Readonly<
  Record<Format, { readonly name: string; readonly source: keyof Sources }>
> = {
  'match-found': { name: 'MatchFound v1', source: 'matchFound' },
  flexmatch: { name: 'FlexMatch', source: 'flexMatch' },
  openmatch2: { name: 'Open Match 2', source: 'openMatch2' },
  nakama: { name: 'Nakama', source: 'nakama' },
};

/** Whether a deployment with these sources accepts messages in `format`. */
export function accepts(sources: Sources, format: Format): boolean {
  return sources[FORMAT_INFO[format].source] !== undefined;
}

/** The profiles `sources` names, with where: each must exist in `profiles`. */
export function profilesNamed(
  sources: Sources,
): { readonly path: (string | number)[]; readonly profile: string }[] {
  const named: { path: (string | number)[]; profile: string }[] = [];
  for (const [name, c] of Object.entries(sources.flexMatch?.configurations ?? {})) {
    named.push({ path: ['sources', 'flexMatch', 'configurations', name, 'profile'], profile: c.profile });
  }
  for (const key of ['openMatch2', 'nakama'] as const) {
    const profile = sources[key]?.defaultProfile;
    if (profile !== undefined) named.push({ path: ['sources', key, 'defaultProfile'], profile });
  }
  return named;
}
