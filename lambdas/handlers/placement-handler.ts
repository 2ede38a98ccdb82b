/**
 * The placement Lambda's SQS handler, built from its dependencies so tests and the local
 * runner pass local endpoints or fakes. It reads each message at the edge (`readInbound`:
 * whichever format the deployment accepts, translated into MatchFound v1), hands it to the
 * core (placement, after FlexMatch's ticket latencies are looked up; MatchEnded; a backfill;
 * the refusal of an invalid or unaccepted body), and settles the record: records of a batch run concurrently (Powertools BatchProcessor); a transient
 * failure fails only its record (partial batch response) and is given a backoff before its
 * next delivery; a permanent one is parked in the DLQ with its reason and acknowledged.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetter } from '../adapters/sqs-dead-letter.ts';
import type { Redelivery } from '../adapters/sqs-redelivery.ts';
import { assignBackfill, rejectInvalidBackfill } from '../core/backfill.ts';
import type { BridgeConfig } from '../core/config.ts';
import { MatchmakerCallError, TransientPlacementError } from '../core/errors.ts';
import { withTicketLatencies } from '../core/formats/flexmatch-latencies.ts';
import { readInbound } from '../core/inbound.ts';
import { stopEndedMatch } from '../core/match-ended.ts';
import { placeMatch, rejectInvalidMatch } from '../core/placement/place-match.ts';
import type { PlacementState } from '../core/placement/placement-state.ts';
import type { Clock, EventPublisher, GameyePort, MatchmakingTickets, SessionStore } from '../core/ports.ts';
import { redeliveryDelaySeconds } from '../core/redelivery.ts';
import type { GameyeError } from '../gameye/index.ts';
import { recordGameyeError } from './gameye-telemetry.ts';
import { PlacementReport } from './placement-report.ts';

export interface PlacementHandlerDeps {
  readonly config: Readonly<BridgeConfig>;
  /** The matches queue's maxReceiveCount: the delivery that reaches it settles its match. */
  readonly maxReceiveCount: number;
  readonly store: SessionStore;
  readonly publisher: EventPublisher;
  readonly deadLetters: { park(letter: DeadLetter): Promise<void> };
  /**
   * Spaces out the next delivery of records that failed for now (their visibility). Absent:
   * they come back after the queue's visibility timeout.
   */
  readonly redelivery?: { delay(entries: readonly Redelivery[]): Promise<string[]> } | undefined;
  /**
   * A Gameye port whose calls time out within `timeoutMs`; built per invocation. It never
   * throws: a token that cannot be read gives a port whose every call fails with why.
   */
  readonly gameyeFor: (
    timeoutMs: number,
    onError: (e: GameyeError) => void,
  ) => Promise<GameyePort> | GameyePort;
  readonly state: PlacementState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Uniform [0, 1) source of the redelivery jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * FlexMatch's tickets (GameLift `DescribeMatchmaking`), for the latencies its events leave
   * out. Needed only when `sources.flexMatch` is configured; absent, a FlexMatch match is
   * placed as if every lookup failed (retried, then by preference on its last delivery).
   */
  readonly tickets?: MatchmakingTickets | undefined;
}

/** The ticket lookup of a deployment that has none: every call fails, saying so. */
const NO_TICKET_LOOKUP: MatchmakingTickets = {
  describeTickets: async () => {
    throw new MatchmakerCallError({
      kind: 'denied',
      message: 'the placement function has no FlexMatch ticket lookup (is sources.flexMatch configured?)',
    });
  },
};

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
  const report = new PlacementReport(logger, metrics);

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
    const core = {
      config: deps.config,
      store: deps.store,
      publisher: deps.publisher,
      gameye,
      clock: deps.clock,
      state: deps.state,
    };
    const retryLater: Redelivery[] = [];

    /**
     * Park a message the bridge will not act on, with its reason. If parking fails the record
     * fails too: SQS redelivers it, the bridge answers it again (placement from the FAILED
     * record), and parking is retried; after maxReceiveCount SQS's own redrive moves it to the
     * DLQ. Either way the message is kept, and the reason is on the record when there is one.
     */
    const park = (
      record: SQSRecord,
      why: {
        readonly reason: string;
        readonly message: string;
        readonly matchId: string | undefined;
        readonly identifier?: string | undefined;
      },
    ) =>
      deps.deadLetters.park({
        body: record.body,
        sourceMessageId: record.messageId,
        reason: why.reason,
        message: why.message,
        matchId: why.matchId,
        identifier: why.identifier,
        attributes: sdkAttributes(record),
      });

    const handle = async (record: SQSRecord): Promise<void> => {
      const message = readInbound(record.body, deps.config.sources);
      // The delivery that reaches maxReceiveCount is the last SQS makes: it settles its message.
      const finalDelivery = receiveCountOf(record) >= deps.maxReceiveCount;
      switch (message.kind) {
        case 'match-ended':
          report.matchEnded(await stopEndedMatch(message.ended, core), record);
          return;
        case 'match-backfilled': {
          const outcome = await assignBackfill(message.backfill, core, { finalDelivery });
          report.backfill(outcome, record, message.format);
          if (outcome.kind === 'failed') await park(record, outcome);
          return;
        }
        case 'ignored':
          report.ignored(record, message.format, message.what, message.matchId);
          return;
        case 'refused':
          report.refused(record, message.format, message.reason, message.message, message.matchId);
          await park(record, message);
          return;
        case 'invalid': {
          if (message.of === 'MatchEnded') {
            // An unreadable MatchEnded says nothing about the match: no SessionFailed.
            report.invalidMatchEnded(record, message.error.matchId, message.error.message);
            await park(record, {
              reason: 'invalid-event',
              message: message.error.message,
              matchId: message.error.matchId,
            });
            return;
          }
          if (message.of === 'MatchBackfilled') {
            const outcome = await rejectInvalidBackfill(
              {
                matchId: message.error.matchId,
                backfillId: message.backfillId,
                message: message.error.message,
              },
              core,
            );
            report.backfill(outcome, record, undefined);
            await park(record, outcome);
            return;
          }
          const outcome = await rejectInvalidMatch(message.error, core);
          report.placement(outcome, record, 0);
          await park(record, outcome);
          return;
        }
        case 'match': {
          const started = deps.clock.now();
          const { match, notes, tickets } = message;
          const outcome = await placeMatch(match, core, {
            remainingTimeMs: () => remaining() - FINISH_RESERVE_MS,
            finalDelivery,
            origin: { tickets, notes },
            // FlexMatch's latencies sit on its tickets: read only when regions are to be chosen,
            // never for a duplicate of a match already settled.
            ...(tickets === undefined
              ? {}
              : {
                  prepare: async (m) => {
                    const looked = await withTicketLatencies(m, tickets, deps.tickets ?? NO_TICKET_LOOKUP, {
                      finalDelivery,
                    });
                    if (looked.failure) report.latenciesUnread(record, m.matchId, looked.failure);
                    return looked;
                  },
                }),
          });
          report.placement(outcome, record, deps.clock.now() - started, message.format);
          if (outcome.kind === 'failed') await park(record, outcome);
          return;
        }
      }
    };

    const recordHandler = async (record: SQSRecord): Promise<void> => {
      try {
        await handle(record);
      } catch (error) {
        const receives = receiveCountOf(record);
        // A delivery SQS will repeat waits a backoff; the last one is moved to the DLQ by SQS.
        const delaySeconds =
          receives < deps.maxReceiveCount && deps.redelivery
            ? redeliveryDelaySeconds(
                receives,
                deps.config.retryBackoff,
                deps.random,
                error instanceof TransientPlacementError ? error.reason : undefined,
              )
            : undefined;
        if (delaySeconds !== undefined)
          retryLater.push({ receiptHandle: record.receiptHandle, delaySeconds });
        report.retried(error, record, delaySeconds);
        throw error;
      }
    };

    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context: context as Context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      if (retryLater.length > 0 && deps.redelivery) {
        // Losing this only shortens nothing: the records then return after the queue's timeout.
        await deps.redelivery.delay(retryLater).then(
          (refused) => {
            if (refused.length > 0)
              logger.warn('SQS kept the default wait for some retries', { refused: refused.length });
          },
          (error: unknown) => logger.warn('could not space out retries', { error: error as Error }),
        );
      }
      // A batch of duplicates adds no metric; publishing nothing would only log a warning.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

function receiveCountOf(record: SQSRecord): number {
  const n = Number(record.attributes.ApproximateReceiveCount);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** The Lambda event's attribute shape (`stringValue`) as the SDK's (`StringValue`). */
function sdkAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    if (a.stringValue !== undefined) out[name] = { DataType: a.dataType, StringValue: a.stringValue };
  }
  return out;
}
