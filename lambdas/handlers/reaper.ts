/**
 * Reaper Lambda entry point (EventBridge Scheduler). Thin by design: the environment is
 * parsed once at cold start; the work lives in `reaper-handler.ts` and the core.
 *
 * The stack gives this function a reserved concurrency of 1, so scheduled runs never overlap:
 * no two runs work on the same session at once. The placement function's MatchEnded path is
 * the only other writer, and every write on both sides is conditional on state and version.
 */
import '../runtime/zod-cold-start.ts';
import { parseRuntimeEnv } from '../runtime/env.ts';
import { reaperDeps } from '../runtime/reaper-deps.ts';
import { makeReaperHandler } from './reaper-handler.ts';

export const handler = makeReaperHandler(reaperDeps({ env: parseRuntimeEnv(process.env) }));
