import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { ConfigError } from '../../lambdas/core/errors.ts';
import { jsonSchemas } from '../../tools/schemas/json-schema.ts';
import { aBridgeConfigInput } from '../fixtures/config.ts';

function configError(input: unknown): ConfigError {
  try {
    parseBridgeConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseBridgeConfig', () => {
  it('applies the defaults and freezes the result deeply', () => {
    const config = parseBridgeConfig(aBridgeConfigInput());

    expect(config.cache.availableLocationsTtlMs).toBe(5_000);
    expect(config.latency.whenNoneMeetsCap).toBe('best-effort');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.profiles.arena?.allowOverrides)).toBe(true);
  });

  it('names each bad field in one error', () => {
    const input = {
      ...aBridgeConfigInput(),
      deploymentId: 'Has Spaces',
      sessionNamespace: 'nope',
      latency: { capMs: -1, whenNoneMeetsCap: 'maybe' },
      cooldownMs: 'soon',
      surprise: true,
    };

    const error = configError(input);

    expect(error.name).toBe('ConfigError');
    expect(error.issues.map((i) => i.path).sort()).toEqual(
      [
        'cooldownMs',
        'deploymentId',
        'latency.capMs',
        'latency.whenNoneMeetsCap',
        'sessionNamespace',
        'surprise',
      ].sort(),
    );
  });

  it('names the profile field at fault', () => {
    const input = aBridgeConfigInput({
      profiles: { arena: { image: '', allowOverrides: { env: ['MATCH_ID'] } } },
    });

    const error = configError(input);

    expect(error.issues.map((i) => i.path)).toEqual([
      'profiles.arena.image',
      'profiles.arena.allowOverrides.env',
    ]);
    expect(error.message).toContain('MATCH_ID cannot be overridden by a match');
  });

  it('refuses an env override on the built-in deny-list, naming it and why', () => {
    const denied = ['GAMEYE_SESSION_ID', 'LD_PRELOAD', 'NODE_OPTIONS', 'PATH', 'MATCH_MODE', 'path'];
    const input = aBridgeConfigInput({
      profiles: { arena: { image: 'arena-server', allowOverrides: { env: ['MAP', ...denied] } } },
    });

    const error = configError(input);

    expect(error.issues.map((i) => i.message)).toEqual([
      'GAMEYE_SESSION_ID cannot be overridden by a match: GAMEYE_* is reserved: Gameye sets these (GAMEYE_SESSION_ID, GAMEYE_HOST)',
      'LD_PRELOAD cannot be overridden by a match: LD_* is reserved: these tell the dynamic loader which code to load',
      'NODE_OPTIONS cannot be overridden by a match: NODE_OPTIONS is reserved: it loads code into a Node.js server',
      'PATH cannot be overridden by a match: PATH is reserved: it decides which programs run',
      'MATCH_MODE cannot be overridden by a match: MATCH_* is reserved: the bridge sets these (MATCH_ID, MATCH_PLAYERS)',
      'path cannot be overridden by a match: PATH is reserved: it decides which programs run',
    ]);
  });

  it('limits overrides to 50 env and 50 label keys by default, and takes no ttl limit of its own', () => {
    const config = parseBridgeConfig(aBridgeConfigInput());

    expect(config.profiles.arena?.allowOverrides).toMatchObject({ maxEnvKeys: 50, maxLabelKeys: 50 });
    expect(config.profiles.arena?.allowOverrides.maxTtlMs).toBeUndefined();
    expect(config.profiles.pinned?.allowOverrides).toEqual({ maxEnvKeys: 50, maxLabelKeys: 50 });
  });

  it('refuses override limits beyond what a MatchFound may carry', () => {
    const input = aBridgeConfigInput({
      profiles: {
        arena: {
          image: 'arena-server',
          allowOverrides: { maxEnvKeys: 65, maxLabelKeys: -1, maxTtlMs: 1_000 },
        },
      },
    });

    expect(configError(input).issues.map((i) => i.path)).toEqual([
      'profiles.arena.allowOverrides.maxEnvKeys',
      'profiles.arena.allowOverrides.maxLabelKeys',
      'profiles.arena.allowOverrides.maxTtlMs',
    ]);
  });

  it('bounds artifactPaths, which SessionEnded lists when missing: 32 paths of 1,024 characters', () => {
    const paths = (n: number, length: number) =>
      Array.from({ length: n }, (_, i) => `/a${i}/`.padEnd(length, 'x'));
    const ok = aBridgeConfigInput({ profiles: { arena: { image: 'a', artifactPaths: paths(32, 1_024) } } });
    const tooMany = aBridgeConfigInput({ profiles: { arena: { image: 'a', artifactPaths: paths(33, 10) } } });
    const tooLong = aBridgeConfigInput({
      profiles: { arena: { image: 'a', artifactPaths: paths(1, 1_025) } },
    });

    expect(parseBridgeConfig(ok).profiles.arena?.artifactPaths).toHaveLength(32);
    expect(configError(tooMany).issues.map((i) => i.path)).toEqual(['profiles.arena.artifactPaths']);
    expect(configError(tooLong).issues.map((i) => i.path)).toEqual(['profiles.arena.artifactPaths[0]']);
  });

  it('requires at least one profile', () => {
    expect(configError(aBridgeConfigInput({ profiles: {} })).issues[0]?.path).toBe('profiles');
  });
});

describe('jsonSchemas', () => {
  it('generates a JSON Schema for each public format from the zod schemas', () => {
    const schemas = jsonSchemas();

    expect(Object.keys(schemas).sort()).toEqual([
      'backfill-failed-v1',
      'bridge-config',
      'flexmatch-matchmaking-succeeded',
      'match-backfilled-v1',
      'match-ended-v1',
      'match-found-v1',
      'nakama-matched-v1',
      'openmatch2-match',
      'players-assigned-v1',
      'session-ended-v1',
      'session-failed-v1',
      'session-ready-v1',
    ]);
    expect(schemas['match-found-v1']).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['matchId']),
    });
  });
});
