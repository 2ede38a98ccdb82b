/**
 * Placement Lambda entry point (SQS event source with ReportBatchItemFailures). Thin by
 * design: the environment is parsed once at cold start, everything else lives in
 * `placement-handler.ts` and the core. MatchEnded messages share the queue; they are stopped
 * here and archived by the reaper, so this function carries no S3 or archive code.
 */
import '../runtime/zod-cold-start.ts';
import { parseRuntimeEnv } from '../runtime/env.ts';
import { placementDeps } from '../runtime/placement-deps.ts';
import { makePlacementHandler } from './placement-handler.ts';

export const handler = makePlacementHandler(placementDeps({ env: parseRuntimeEnv(process.env) }));
