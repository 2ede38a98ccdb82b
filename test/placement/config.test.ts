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
    expect(error.message).toContain('MATCH_ID is set by the bridge');
  });

  it('requires at least one profile', () => {
    expect(configError(aBridgeConfigInput({ profiles: {} })).issues[0]?.path).toBe('profiles');
  });
});

describe('jsonSchemas', () => {
  it('generates a JSON Schema for each public format from the zod schemas', () => {
    const schemas = jsonSchemas();

    expect(Object.keys(schemas).sort()).toEqual([
      'bridge-config',
      'match-ended-v1',
      'match-found-v1',
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
