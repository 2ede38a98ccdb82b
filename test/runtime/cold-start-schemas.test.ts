import { describe, expect, it, vi } from 'vitest';
import type * as z from 'zod';
import { FUNCTION_ENV } from '../../lambdas/shared/resources.ts';
import { aBridgeConfigInput } from '../fixtures/config.ts';

/**
 * Whether a `z.lazy` schema has built its inner schema. zod caches it on the lazy's def on first
 * use; the test also checks that a parse sets it, so a zod that cached it elsewhere fails here
 * instead of passing for the wrong reason.
 */
function built(schema: z.ZodType): boolean {
  return (schema._zod.def as { _cachedInner?: unknown })._cachedInner !== undefined;
}

const ENV = {
  [FUNCTION_ENV.tableName]: 'sessions',
  [FUNCTION_ENV.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:session-events',
  [FUNCTION_ENV.gameyeBaseUrl]: 'https://api.sandbox-gameye.gameye.net',
  [FUNCTION_ENV.gameyeTokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye',
  [FUNCTION_ENV.bridgeConfig]: JSON.stringify(aBridgeConfigInput()),
};

/** What both functions' cold starts load, in a fresh module graph, with the environment parsed. */
async function coldStart() {
  vi.resetModules();
  await import('../../lambdas/runtime/placement-deps.ts');
  await import('../../lambdas/runtime/reaper-deps.ts');
  await import('../../lambdas/handlers/placement-handler.ts');
  await import('../../lambdas/handlers/reaper-handler.ts');
  const { parseRuntimeEnv } = await import('../../lambdas/runtime/env.ts');
  const env = parseRuntimeEnv(ENV);
  const schemas = {
    ...(await import('../../lambdas/core/match-event.ts')),
    ...(await import('../../lambdas/core/events.ts')),
    ...(await import('../../lambdas/core/formats/sources.ts')),
    ...(await import('../../lambdas/core/formats/open-match2.ts')),
    ...(await import('../../lambdas/core/formats/nakama.ts')),
    ...(await import('../../lambdas/core/formats/flexmatch.ts')),
    ...(await import('../../lambdas/core/session-record.ts')),
    ...(await import('../../lambdas/core/ranking.ts')),
    ...(await import('../../lambdas/gameye/contract.ts')),
  };
  return { env, schemas };
}

describe('schemas a cold start does not need', () => {
  it('are not built by loading the functions and parsing their environment, and are on first parse', async () => {
    const { env, schemas } = await coldStart();
    const lazy = {
      MatchFoundV1: schemas.MatchFoundV1,
      MatchEndedV1: schemas.MatchEndedV1,
      MatchBackfilledV1: schemas.MatchBackfilledV1,
      SessionEvent: schemas.SessionEvent,
      SessionReadyV1: schemas.SessionReadyV1,
      OpenMatch2Match: schemas.OpenMatch2Match,
      NakamaMatchedV1: schemas.NakamaMatchedV1,
      FlexMatchSucceededEvent: schemas.FlexMatchSucceededEvent,
      FlexMatchSource: schemas.FlexMatchSource,
      OpenMatch2Source: schemas.OpenMatch2Source,
      NakamaSource: schemas.NakamaSource,
      Attempt: schemas.Attempt,
      Ranking: schemas.Ranking,
      SessionRunOk: schemas.SessionRunOk,
      ErrorResponse: schemas.ErrorResponse,
    };

    const named = (keep: (schema: z.ZodType) => boolean) =>
      Object.entries(lazy)
        .filter(([, schema]) => keep(schema))
        .map(([name]) => name);
    const builtAtColdStart = named(built);
    for (const schema of Object.values(lazy)) schema.safeParse({});

    expect(env.config.sources).toEqual({ matchFound: {} });
    expect(builtAtColdStart).toEqual([]);
    expect(named((schema) => !built(schema))).toEqual([]);
  });

  it('still refuse what they refused when built eagerly', async () => {
    const { schemas } = await coldStart();

    const parsed = schemas.MatchFoundV1.safeParse({ version: 1, matchId: 'm-1', profile: 'p', players: [] });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['players']);
  });
});
