/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: the placement floor plus the
 * one piece of cold-start work the project's rules require of every function whatever it does:
 * its environment and `BRIDGE_CONFIG` validated with zod (`parseRuntimeEnv`, the same schemas
 * `cdk synth` checks), so that a bad configuration fails at cold start. zod's settings are the
 * function's (`zod-cold-start.ts`, loaded first as the entry points load it). The function's
 * ratio to this row is what its code, clients and handler add beyond that required work.
 */
import '../../lambdas/runtime/zod-cold-start.ts';
import { parseRuntimeEnv } from '../../lambdas/runtime/env.ts';

export { handler } from './placement-floor.ts';
export const env = parseRuntimeEnv(process.env);
