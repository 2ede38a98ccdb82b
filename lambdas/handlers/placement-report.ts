/**
 * What the placement function tells operators about each message: one structured log line
 * (with the match id, session id and Gameye's correlation `identifier` wherever known) and the
 * metrics the alarms watch. Kept apart from the handler, which only routes and settles.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import type { BackfillOutcome } from '../core/backfill.ts';
import { type MatchmakerCallError, TransientPlacementError } from '../core/errors.ts';
import type { Format } from '../core/formats/sources.ts';
import type { RefusalReason } from '../core/formats/translation.ts';
import type { MatchEndedOutcome } from '../core/match-ended.ts';
import type { PlacementOutcome } from '../core/placement/place-match.ts';
import { METRICS } from '../shared/metric-names.ts';

export class PlacementReport {
  readonly #logger: Logger;
  readonly #metrics: Metrics;

  constructor(logger: Logger, metrics: Metrics) {
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** `format`: what the matchmaker sent, when it is not MatchFound v1 (logged with the outcome). */
  placement(outcome: PlacementOutcome, record: SQSRecord, latencyMs: number, format?: Format): void {
    const messageId = record.messageId;
    const from = format === undefined || format === 'match-found' ? {} : { format };
    switch (outcome.kind) {
      case 'placed': {
        this.#metrics.addMetric(METRICS.placementSucceeded.name, MetricUnit.Count, 1);
        this.#metrics.addMetric(METRICS.placementLatency.name, MetricUnit.Milliseconds, latencyMs);
        if (outcome.chosenRank !== null) {
          this.#metrics.addMetric(METRICS.fallbackRank.name, MetricUnit.Count, outcome.chosenRank);
        }
        const m = this.#metrics.singleMetric();
        m.addDimension(METRICS.regionChosen.dimensions[0], outcome.region);
        m.addMetric(METRICS.regionChosen.name, MetricUnit.Count, 1);
        const { matchId, sessionId, region, via, chosenRank } = outcome;
        this.#logger.info('match placed', {
          messageId,
          ...from,
          matchId,
          sessionId,
          region,
          via,
          chosenRank,
          latencyMs,
        });
        return;
      }
      case 'duplicate': {
        const { matchId, sessionId, state, republished } = outcome;
        this.#logger.info('duplicate delivery absorbed', {
          messageId,
          ...from,
          matchId,
          sessionId,
          state,
          republished,
        });
        return;
      }
      case 'failed': {
        const { matchId, sessionId, identifier, reason, message } = outcome;
        const details = { messageId, ...from, matchId, sessionId, identifier, reason, error: message };
        // A repeat (another copy of a match that failed before) is kept too, but it is not a
        // new failure: counting it would inflate the failure-rate alarm.
        if (outcome.repeated) {
          this.#logger.warn('match failed earlier; this copy is parked in the DLQ too', details);
        } else {
          this.#metrics.addMetric(METRICS.placementFailed.name, MetricUnit.Count, 1);
          this.#logger.error('match failed permanently; parked in the DLQ', details);
        }
      }
    }
  }

  matchEnded(outcome: MatchEndedOutcome, record: SQSRecord): void {
    const messageId = record.messageId;
    switch (outcome.kind) {
      case 'unknown-match':
        this.#logger.warn(
          'MatchEnded for a match not placed (yet): nothing to stop; a late MatchFound will not start it',
          { messageId, matchId: outcome.matchId },
        );
        return;
      case 'already-ended': {
        const { matchId, sessionId, state } = outcome;
        this.#logger.info('MatchEnded for a match already over: nothing to do', {
          messageId,
          matchId,
          sessionId,
          state,
        });
        return;
      }
      case 'ending': {
        const { matchId, sessionId, region } = outcome;
        const details = { messageId, matchId, sessionId, region };
        if (outcome.stop === 'deferred') {
          const error = outcome.stopError as (Error & { identifier?: string }) | undefined;
          this.#logger.warn('match ended; the stop failed and the reaper retries it', {
            ...details,
            identifier: error?.identifier,
            error: error?.message,
          });
        } else {
          this.#logger.info(
            outcome.first
              ? 'match ended early: session stopped; the reaper archives it'
              : 'MatchEnded again: session already stopping',
            details,
          );
        }
      }
    }
  }

  /** A backfill assigned (or announced again), or failed and parked in the DLQ. */
  backfill(outcome: BackfillOutcome, record: SQSRecord, format: Format | undefined): void {
    const { matchId, sessionId, backfillId } = outcome;
    const details = {
      messageId: record.messageId,
      ...(format === undefined ? {} : { format }),
      matchId,
      sessionId,
      backfillId,
    };
    if (outcome.kind === 'assigned') {
      this.#logger.info(
        outcome.first
          ? 'backfill assigned to the running match'
          : outcome.forgotten
            ? 'backfill acknowledged (a late duplicate, assigned long ago; not announced again)'
            : 'backfill announced again (duplicate)',
        {
          ...details,
          players: outcome.players,
        },
      );
      return;
    }
    this.#logger.error('backfill failed; parked in the DLQ', {
      ...details,
      reason: outcome.reason,
      error: outcome.message,
    });
  }

  /** A FlexMatch match is placed by preference: its tickets' latencies could not be read. */
  latenciesUnread(record: SQSRecord, matchId: string, failure: MatchmakerCallError): void {
    this.#logger.warn('FlexMatch latencies unread; placing the match by preference', {
      messageId: record.messageId,
      matchId,
      kind: failure.kind,
      code: failure.code,
      requestId: failure.requestId,
      error: failure.message,
    });
    const m = this.#metrics.singleMetric();
    m.addDimension(METRICS.flexMatchLatenciesUnread.dimensions[0], failure.kind);
    m.addMetric(METRICS.flexMatchLatenciesUnread.name, MetricUnit.Count, 1);
  }

  /** A message of an accepted format that asks nothing of the bridge (e.g. FlexMatch MatchmakingTimedOut). */
  ignored(record: SQSRecord, format: Format, what: string, matchId: string | undefined): void {
    this.#logger.info('message acknowledged: nothing to do', {
      messageId: record.messageId,
      format,
      what,
      matchId,
    });
  }

  /** A message not this deployment's to place (format not accepted, configuration not named). */
  refused(
    record: SQSRecord,
    format: Format,
    reason: RefusalReason,
    error: string,
    matchId: string | undefined,
  ): void {
    this.#logger.error('message refused; parked in the DLQ', {
      messageId: record.messageId,
      format,
      matchId,
      reason,
      error,
    });
  }

  invalidMatchEnded(record: SQSRecord, matchId: string | undefined, error: string): void {
    this.#logger.error('invalid MatchEnded; parked in the DLQ', {
      messageId: record.messageId,
      matchId,
      error,
    });
  }

  /** The record failed for now and comes back after `delaySeconds` (undefined: the queue's timeout). */
  retried(error: unknown, record: SQSRecord, delaySeconds: number | undefined): void {
    const receiveCount = record.attributes.ApproximateReceiveCount;
    if (error instanceof TransientPlacementError) {
      const { matchId, sessionId, identifier, reason, message } = error;
      this.#logger.warn('message will be retried', {
        messageId: record.messageId,
        matchId,
        sessionId,
        identifier,
        reason,
        error: message,
        receiveCount,
        delaySeconds,
      });
    } else {
      this.#logger.error('message handling crashed; it will be retried', {
        messageId: record.messageId,
        receiveCount,
        delaySeconds,
        error: error as Error,
      });
    }
  }
}
