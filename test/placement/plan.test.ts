import { describe, expect, it } from 'vitest';
import type { BridgeConfig } from '../../lambdas/core/config.ts';
import { PermanentPlacementError } from '../../lambdas/core/errors.ts';
import { MatchFoundV1 } from '../../lambdas/core/match-event.ts';
import { resolvePlan } from '../../lambdas/core/placement/plan.ts';
import { aBridgeConfig } from '../fixtures/config.ts';
import { aMatchFound, type MatchFoundInput } from '../fixtures/match-found.ts';

const SESSION = '2ed6657d-e927-568b-95e1-2665a8aea6a2';
const keys = (n: number, prefix = 'K'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const mapOf = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((k) => [k, 'v']));

function refusal(
  event: MatchFoundInput | MatchFoundV1,
  config: Readonly<BridgeConfig>,
): PermanentPlacementError {
  try {
    resolvePlan(event as MatchFoundV1, config, SESSION);
  } catch (error) {
    if (error instanceof PermanentPlacementError) return error;
    throw error;
  }
  throw new Error('expected resolvePlan to refuse the event');
}

/** An arena profile with these settings (the fixture's arena allows MAP, mode and ttl). */
function arenaWith(profile: Record<string, unknown>): Readonly<BridgeConfig> {
  return aBridgeConfig({
    profiles: { arena: { image: 'arena-server', ...profile } },
  });
}

describe('resolvePlan override limits', () => {
  it('accepts a ttl override up to the profile maxLifetimeMs and refuses a longer one, naming the limit and the fix', () => {
    const config = arenaWith({ maxLifetimeMs: 2 * 3_600_000, allowOverrides: { ttl: true } });

    expect(resolvePlan(MatchFoundV1.parse(aMatchFound({ ttl: '2h' })), config, SESSION).ttl).toBe('2h');
    const error = refusal(MatchFoundV1.parse(aMatchFound({ ttl: '2h1m' })), config);

    expect(error.reason).toBe('override-not-allowed');
    expect(error.message).toBe(
      'ttl 2h1m is longer than the 2h profile arena allows (its maxLifetimeMs): send a shorter ttl, ' +
        'or raise profiles.arena.allowOverrides.maxTtlMs',
    );
  });

  it('limits a ttl override to 24 h when the profile has no maxLifetimeMs, so 999999h is refused', () => {
    const config = arenaWith({ allowOverrides: { ttl: true } });

    expect(resolvePlan(MatchFoundV1.parse(aMatchFound({ ttl: '24h' })), config, SESSION).ttl).toBe('24h');
    expect(refusal(MatchFoundV1.parse(aMatchFound({ ttl: '24h1m' })), config).message).toContain(
      'longer than the 24h profile arena allows (the default when it sets no maxLifetimeMs)',
    );
    // Past the MatchFound schema's own bound too: resolvePlan does not rely on it.
    expect(refusal(aMatchFound({ ttl: '999999h' }), config).message).toContain('ttl 999999h is longer');
  });

  it('takes allowOverrides.maxTtlMs over maxLifetimeMs', () => {
    const config = arenaWith({ maxLifetimeMs: 3_600_000, allowOverrides: { ttl: true, maxTtlMs: 90_000 } });

    expect(refusal(MatchFoundV1.parse(aMatchFound({ ttl: '2m' })), config).message).toContain(
      'longer than the 1m30s profile arena allows (its allowOverrides.maxTtlMs)',
    );
  });

  it('refuses more env keys than the profile allows, naming the field, the limit and the setting', () => {
    const config = arenaWith({ allowOverrides: { env: keys(60) } });

    const error = refusal(MatchFoundV1.parse(aMatchFound({ env: mapOf(keys(51)) })), config);

    expect(error.message).toBe(
      'env sets 51 keys, more than the 50 profile arena allows: send at most 50, ' +
        'or raise profiles.arena.allowOverrides.maxEnvKeys (at most 64)',
    );
    expect(
      resolvePlan(MatchFoundV1.parse(aMatchFound({ env: mapOf(keys(50)) })), config, SESSION).env,
    ).toMatchObject(mapOf(keys(50)));
  });

  it('refuses more label keys than the profile allows', () => {
    const config = arenaWith({ allowOverrides: { labels: keys(10, 'l'), maxLabelKeys: 2 } });

    const error = refusal(MatchFoundV1.parse(aMatchFound({ labels: mapOf(keys(3, 'l')) })), config);

    expect(error.message).toContain('labels sets 3 keys, more than the 2 profile arena allows');
    expect(error.message).toContain('profiles.arena.allowOverrides.maxLabelKeys');
  });

  it('refuses env names on the deny-list even when a profile lists them', () => {
    const denied = ['PATH', 'LD_PRELOAD', 'GAMEYE_HOST', 'NODE_OPTIONS', 'MATCH_ID', 'MATCH_MODE'];
    const valid = arenaWith({});
    // Built past the schema, which refuses such a list: resolvePlan holds on its own.
    const config: Readonly<BridgeConfig> = {
      ...valid,
      profiles: {
        arena: {
          image: 'arena-server',
          artifactPaths: [],
          allowOverrides: { env: ['MAP', ...denied], maxEnvKeys: 50, maxLabelKeys: 50 },
        },
      },
    };

    const error = refusal(MatchFoundV1.parse(aMatchFound({ env: mapOf(['MAP', ...denied]) })), config);

    expect(error.message).toBe(
      'profile arena does not allow overriding env.PATH, env.LD_PRELOAD, env.GAMEYE_HOST, env.NODE_OPTIONS, env.MATCH_ID, env.MATCH_MODE',
    );
  });

  it('names the first ten refused overrides and counts the rest', () => {
    const config = arenaWith({});

    const error = refusal(
      MatchFoundV1.parse(aMatchFound({ env: mapOf(keys(40)), labels: mapOf(keys(40)) })),
      config,
    );

    expect(error.message).toBe(
      `profile arena does not allow overriding ${keys(10)
        .map((k) => `env.${k}`)
        .join(', ')} and 70 more`,
    );
  });
});
