/**
 * The placement Lambda's SQS handler, built from its dependencies so tests and the local
 * runner pass local endpoints or fakes. Records of a batch run concurrently
 * (Powertools BatchProcessor); a transient failure fails only its record (partial batch
 * response); a permanent one is parked in the DLQ with its reason and acknowledged.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetter } from '../adapters/sqs-dead-letter.ts';
import type { BridgeConfig } from '../core/config.ts';
import { TransientPlacementError } from '../core/errors.ts';
import { type MatchEndedOutcome, stopEndedMatch } from '../core/match-ended.ts';
import { messageType } from '../core/match-event.ts';
import { type PlacementOutcome, placeMatch } from '../core/placement/place-match.ts';
import type { PlacementState } from '../core/placement/placement-state.ts';
import type { Clock, EventPublisher, GameyePort, SessionStore } from '../core/ports.ts';
import type { GameyeError } from '../gameye/index.ts';
import { METRICS } from '../shared/metric-names.ts';
import { recordGameyeError } from './gameye-telemetry.ts';

export interface PlacementHandlerDeps {
  readonly config: Readonly<BridgeConfig>;
  /** The matches queue's maxReceiveCount: the delivery that reaches it settles its match. */
  readonly maxReceiveCount: number;
  readonly store: SessionStore;
  readonly publisher: EventPublisher;
  readonly deadLetters: { park(letter: DeadLetter): Promise<void> };
  /** A Gameye port whose calls time out within `timeoutMs`; built per invocation. */
  readonly gameyeFor: (
    timeoutMs: number,
    onError: (e: GameyeError) => void,
  ) => Promise<GameyePort> | GameyePort;
  readonly state: PlacementState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Time kept back from the Lambda's remaining time for writes and publishing after a Gameye call. */
const FINISH_RESERVE_MS = 2_000;
/** Upper bound for one Gameye call, whatever time is left. */
const MAX_GAMEYE_CALL_MS = 10_000;
const MIN_GAMEYE_CALL_MS = 500;

export type PlacementHandler = (
  event: SQSEvent,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
) => Promise<SQSBatchResponse>;

export function makePlacementHandler(deps: PlacementHandlerDeps): PlacementHandler {
  const { logger, metrics } = deps;

  return async (event, context) => {
    // One processor per invocation: it keeps the batch's successes and failures in fields, so
    // a processor shared by concurrent invocations (the local runner's pollers, or Lambda
    // instances serving several invocations at once) could report a failed record as done.
    const processor = new BatchProcessor(EventType.SQS);
    const remaining = (): number => context.getRemainingTimeInMillis();
    const callMs = Math.max(
      MIN_GAMEYE_CALL_MS,
      Math.min(MAX_GAMEYE_CALL_MS, remaining() - FINISH_RESERVE_MS),
    );
    const gameye = await deps.gameyeFor(callMs, (error) => recordGameyeError(metrics, logger, error));

    const matchEnded = async (record: SQSRecord): Promise<void> => {
      let outcome: MatchEndedOutcome;
      try {
        outcome = await stopEndedMatch(record.body, {
          config: deps.config,
          store: deps.store,
          gameye,
          clock: deps.clock,
        });
      } catch (error) {
        const e = error as Error & { matchId?: string; reason?: string };
        logger.warn('MatchEnded will be retried', {
          messageId: record.messageId,
          matchId: e.matchId,
          reason: e.reason,
          error: e.message,
        });
        throw error;
      }
      switch (outcome.kind) {
        case 'invalid':
          logger.error('invalid MatchEnded; parked in the DLQ', {
            messageId: record.messageId,
            matchId: outcome.error.matchId,
            error: outcome.error.message,
          });
          await deps.deadLetters.park({
            body: record.body,
            sourceMessageId: record.messageId,
            reason: 'invalid-event',
            message: outcome.error.message,
            matchId: outcome.error.matchId,
            attributes: sdkAttributes(record),
          });
          return;
        case 'unknown-match':
          logger.warn(
            'MatchEnded for a match not placed (yet): nothing to stop; a late MatchFound will not start it',
            { messageId: record.messageId, matchId: outcome.matchId },
          );
          return;
        case 'already-ended':
          logger.info('MatchEnded for a match already over: nothing to do', {
            messageId: record.messageId,
            matchId: outcome.matchId,
            sessionId: outcome.sessionId,
            state: outcome.state,
          });
          return;
        case 'ending': {
          const details = {
            messageId: record.messageId,
            matchId: outcome.matchId,
            sessionId: outcome.sessionId,
            region: outcome.region,
          };
          if (outcome.stop === 'deferred') {
            const error = outcome.stopError as Error & { identifier?: string };
            logger.warn('match ended; the stop failed and the reaper retries it', {
              ...details,
              identifier: error?.identifier,
              error: error?.message,
            });
          } else {
            logger.info(
              outcome.first
                ? 'match ended early: session stopped; the reaper archives it'
                : 'MatchEnded again: session already stopping',
              details,
            );
          }
          return;
        }
      }
    };

    const recordHandler = async (record: SQSRecord): Promise<void> => {
      if (messageType(record.body) === 'MatchEnded') return matchEnded(record);
      const started = deps.clock.now();
      let outcome: PlacementOutcome;
      try {
        outcome = await placeMatch(
          record.body,
          {
            config: deps.config,
            store: deps.store,
            publisher: deps.publisher,
            gameye,
            clock: deps.clock,
            state: deps.state,
          },
          {
            remainingTimeMs: () => remaining() - FINISH_RESERVE_MS,
            // The delivery that reaches maxReceiveCount is the last SQS makes: settle the match.
            finalDelivery: Number(record.attributes.ApproximateReceiveCount) >= deps.maxReceiveCount,
          },
        );
      } catch (error) {
        if (error instanceof TransientPlacementError) {
          logger.warn('placement will be retried', {
            messageId: record.messageId,
            matchId: error.matchId,
            sessionId: error.sessionId,
            identifier: error.identifier,
            reason: error.reason,
            error: error.message,
            receiveCount: record.attributes.ApproximateReceiveCount,
          });
        } else {
          logger.error('placement crashed', { messageId: record.messageId, error: error as Error });
        }
        throw error;
      }
      await settle(outcome, record, started);
    };

    const settle = async (outcome: PlacementOutcome, record: SQSRecord, started: number): Promise<void> => {
      switch (outcome.kind) {
        case 'placed': {
          const latency = deps.clock.now() - started;
          metrics.addMetric(METRICS.placementSucceeded.name, MetricUnit.Count, 1);
          metrics.addMetric(METRICS.placementLatency.name, MetricUnit.Milliseconds, latency);
          if (outcome.chosenRank !== null) {
            metrics.addMetric(METRICS.fallbackRank.name, MetricUnit.Count, outcome.chosenRank);
          }
          const m = metrics.singleMetric();
          m.addDimension(METRICS.regionChosen.dimensions[0], outcome.region);
          m.addMetric(METRICS.regionChosen.name, MetricUnit.Count, 1);
          logger.info('match placed', {
            messageId: record.messageId,
            matchId: outcome.matchId,
            sessionId: outcome.sessionId,
            region: outcome.region,
            via: outcome.via,
            chosenRank: outcome.chosenRank,
            latencyMs: latency,
          });
          return;
        }
        case 'duplicate': {
          logger.info('duplicate delivery absorbed', {
            messageId: record.messageId,
            matchId: outcome.matchId,
            sessionId: outcome.sessionId,
            state: outcome.state,
            republished: outcome.republished,
          });
          return;
        }
        case 'failed': {
          // A repeat (another copy of a match that failed before) is kept too, but it is not a
          // new failure: counting it would inflate the failure-rate alarm.
          const details = {
            messageId: record.messageId,
            matchId: outcome.matchId,
            sessionId: outcome.sessionId,
            identifier: outcome.identifier,
            reason: outcome.reason,
            error: outcome.message,
          };
          if (outcome.repeated) {
            logger.warn('match failed earlier; this copy is parked in the DLQ too', details);
          } else {
            metrics.addMetric(METRICS.placementFailed.name, MetricUnit.Count, 1);
            logger.error('match failed permanently; parked in the DLQ', details);
          }
          // If parking fails the record fails too: SQS redelivers it, placement answers the FAILED
          // record with 'failed' again, and parking is retried; after maxReceiveCount SQS's own
          // redrive moves it to the DLQ. Either way the message is kept, the reason on the record.
          await deps.deadLetters.park({
            body: record.body,
            sourceMessageId: record.messageId,
            reason: outcome.reason,
            message: outcome.message,
            matchId: outcome.matchId,
            identifier: outcome.identifier,
            attributes: sdkAttributes(record),
          });
          return;
        }
      }
    };

    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context: context as Context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      // A batch of duplicates adds no metric; publishing nothing would only log a warning.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** The Lambda event's attribute shape (`stringValue`) as the SDK's (`StringValue`). */
function sdkAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    if (a.stringValue !== undefined) out[name] = { DataType: a.dataType, StringValue: a.stringValue };
  }
  return out;
}
