/**
 * JSON Schema for the core's public formats, generated from the zod schemas (one schema, one
 * truth). A script writes these to `schemas/*.json` for matchmaker teams and subscribers.
 *
 * The matchmakers' native messages (FlexMatch's event, Open Match 2's Match) are described as
 * the bridge reads them: the fields it uses, with the bounds it holds them to; other fields
 * may be present.
 */
import * as z from 'zod';
import { BridgeConfig } from '../../lambdas/core/config.ts';
import {
  BackfillFailedV1,
  PlayersAssignedV1,
  SessionEndedV1,
  SessionFailedV1,
  SessionReadyV1,
} from '../../lambdas/core/events.ts';
import { FlexMatchSucceededEvent } from '../../lambdas/core/formats/flexmatch.ts';
import { NakamaMatchedV1 } from '../../lambdas/core/formats/nakama.ts';
import { OpenMatch2Match } from '../../lambdas/core/formats/open-match2.ts';
import { MatchBackfilledV1, MatchEndedV1, MatchFoundV1 } from '../../lambdas/core/match-event.ts';

/** Schemas by file name. Inbound formats are described as producers write them (`io: 'input'`). */
export function jsonSchemas(): Record<string, unknown> {
  const input = { io: 'input', unrepresentable: 'any' } as const;
  const output = { io: 'output', unrepresentable: 'any' } as const;
  return {
    'match-found-v1': z.toJSONSchema(MatchFoundV1, input),
    'match-ended-v1': z.toJSONSchema(MatchEndedV1, input),
    'match-backfilled-v1': z.toJSONSchema(MatchBackfilledV1, input),
    'flexmatch-matchmaking-succeeded': z.toJSONSchema(FlexMatchSucceededEvent, input),
    'openmatch2-match': z.toJSONSchema(OpenMatch2Match, input),
    'nakama-matched-v1': z.toJSONSchema(NakamaMatchedV1, input),
    'bridge-config': z.toJSONSchema(BridgeConfig, input),
    'session-ready-v1': z.toJSONSchema(SessionReadyV1, output),
    'session-failed-v1': z.toJSONSchema(SessionFailedV1, output),
    'session-ended-v1': z.toJSONSchema(SessionEndedV1, output),
    'players-assigned-v1': z.toJSONSchema(PlayersAssignedV1, output),
    'backfill-failed-v1': z.toJSONSchema(BackfillFailedV1, output),
  };
}
