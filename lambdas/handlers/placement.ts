/**
 * Placement Lambda entry point (SQS event source with ReportBatchItemFailures). Thin by
 * design: the environment is parsed once at cold start, everything else lives in
 * `placement-handler.ts` and the core.
 */
import { parseRuntimeEnv } from '../runtime/env.ts';
import { defaultPlacementClients, placementDeps } from '../runtime/placement-deps.ts';
import { defaultArchiveClient, reaperDeps } from '../runtime/reaper-deps.ts';
import { makePlacementHandler } from './placement-handler.ts';
import { makeEndMatch } from './reaper-handler.ts';

const env = parseRuntimeEnv(process.env);
// One client per service for both paths: fewer objects built at cold start, one connection pool.
const clients = defaultPlacementClients();
const s3 = defaultArchiveClient();
export const handler = makePlacementHandler({
  ...placementDeps({ env, clients }),
  // MatchEnded arrives on the same queue; it stops and archives through the reaper's core.
  endMatch: makeEndMatch(reaperDeps({ env, clients: { dynamodb: clients.dynamodb, sns: clients.sns, s3 } })),
});
