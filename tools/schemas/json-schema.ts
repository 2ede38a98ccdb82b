/**
 * JSON Schema for the core's public formats, generated from the zod schemas (one schema, one
 * truth). A script writes these to `schemas/*.json` for matchmaker teams and subscribers.
 */
import * as z from 'zod';
import { BridgeConfig } from '../../lambdas/core/config.ts';
import { SessionEndedV1, SessionFailedV1, SessionReadyV1 } from '../../lambdas/core/events.ts';
import { MatchEndedV1, MatchFoundV1 } from '../../lambdas/core/match-event.ts';

/** Schemas by file name. Inbound formats are described as producers write them (`io: 'input'`). */
export function jsonSchemas(): Record<string, unknown> {
  const input = { io: 'input', unrepresentable: 'any' } as const;
  const output = { io: 'output', unrepresentable: 'any' } as const;
  return {
    'match-found-v1': z.toJSONSchema(MatchFoundV1, input),
    'match-ended-v1': z.toJSONSchema(MatchEndedV1, input),
    'bridge-config': z.toJSONSchema(BridgeConfig, input),
    'session-ready-v1': z.toJSONSchema(SessionReadyV1, output),
    'session-failed-v1': z.toJSONSchema(SessionFailedV1, output),
    'session-ended-v1': z.toJSONSchema(SessionEndedV1, output),
  };
}
