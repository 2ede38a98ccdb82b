/**
 * Placement Lambda entry point (SQS event source with ReportBatchItemFailures). Thin by
 * design: the environment is parsed once at cold start, everything else lives in
 * `placement-handler.ts` and the core.
 */
import { parseRuntimeEnv } from '../runtime/env.ts';
import { placementDeps } from '../runtime/placement-deps.ts';
import { reaperDeps } from '../runtime/reaper-deps.ts';
import { makePlacementHandler } from './placement-handler.ts';
import { makeEndMatch } from './reaper-handler.ts';

const env = parseRuntimeEnv(process.env);
export const handler = makePlacementHandler({
  ...placementDeps({ env }),
  // MatchEnded arrives on the same queue; it stops and archives through the reaper's core.
  endMatch: makeEndMatch(reaperDeps({ env })),
});
