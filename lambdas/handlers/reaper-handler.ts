/**
 * The reaper Lambda's scheduled handler, built from its dependencies so tests and the local
 * runner pass local endpoints or fakes: it turns the Lambda context into a time budget, runs
 * one reaper pass, and maps what the core observed into metrics and log lines.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { SessionItemError } from '../adapters/dynamo-session-store.ts';
import type { BridgeConfig } from '../core/config.ts';
import type {
  ArchiveStore,
  Clock,
  EventPublisher,
  LifecycleGameyePort,
  SessionStore,
} from '../core/ports.ts';
import type { ActiveIndex } from '../core/reaper/active-entry.ts';
import { identifierOf, type ReaperDeps, type ReaperObserver } from '../core/reaper/reaper-context.ts';
import { REAPER_RESERVE_MS, type ReaperRunResult, runReaper } from '../core/reaper/run-reaper.ts';
import type { GameyeError, RetryPolicy } from '../gameye/index.ts';
import { METRICS } from '../shared/metric-names.ts';
import { recordGameyeError } from './gameye-telemetry.ts';

export interface ReaperHandlerDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly index: ActiveIndex;
  readonly archive: ArchiveStore;
  readonly archivePrefix: string;
  readonly publisher: EventPublisher;
  /** A Gameye port whose calls time out within `timeoutMs`; built per invocation (token may rotate). */
  readonly gameyeFor: (
    timeoutMs: number,
    onError: (e: GameyeError) => void,
  ) => Promise<LifecycleGameyePort> | LifecycleGameyePort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The time between scheduled runs (REAPER_RATE_MINUTES). Default: a minute. */
  readonly runPeriodMs?: number | undefined;
  /** The process's peak memory so far, in MB. Default: its RSS high-water mark. */
  readonly peakMemoryMb?: (() => number) | undefined;
}

/** The kernel's high-water mark of this process's RSS, in MB (`maxRSS` is in kilobytes). */
function rssHighWaterMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Quick in-place retries of list, stop and the opening of a download (all idempotent); a step
 * that still fails is retried by the next run.
 */
export const REAPER_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

/**
 * The longest one Gameye call may take: every attempt timing out, and the backoff between them
 * at its cap (the client caps a server's Retry-After at `maxDelayMs` too).
 */
export function worstCallMs(timeoutMs: number, retries: RetryPolicy): number {
  return retries.maxAttempts * timeoutMs + (retries.maxAttempts - 1) * retries.maxDelayMs;
}

/**
 * Each attempt's timeout (and an artifact stream's longest idle gap): the largest whose worst
 * call still fits the run's reserve, so a call begun just before the reserve ends before the
 * Lambda's deadline.
 */
export const REAPER_CALL_TIMEOUT_MS = Math.floor(
  (REAPER_RESERVE_MS - (REAPER_RETRIES.maxAttempts - 1) * REAPER_RETRIES.maxDelayMs) /
    REAPER_RETRIES.maxAttempts,
);

export type ReaperHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<ReaperRunResult>;

export interface ReaperHandlerOptions {
  readonly reserveMs?: number;
  readonly concurrency?: number;
}

export function makeReaperHandler(
  deps: ReaperHandlerDeps,
  options: ReaperHandlerOptions = {},
): ReaperHandler {
  return async (_event, context) => {
    try {
      const core = await coreDeps(deps);
      const result = await runReaper(core, {
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        reserveMs: options.reserveMs ?? REAPER_RESERVE_MS,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      });
      deps.metrics.addMetric(
        METRICS.archiveBacklogAge.name,
        MetricUnit.Seconds,
        Math.round(result.archiveBacklogMs / 1000),
      );
      deps.logger.info('reaper run', { ...result });
      return result;
    } finally {
      // After a failed run too: a run that nearly ran out of memory is the one to see.
      const peakMb = Math.round((deps.peakMemoryMb ?? rssHighWaterMb)());
      deps.metrics.addMetric(METRICS.reaperPeakMemory.name, MetricUnit.Megabytes, peakMb);
      deps.metrics.publishStoredMetrics();
    }
  };
}

async function coreDeps(deps: ReaperHandlerDeps): Promise<ReaperDeps> {
  const { logger, metrics } = deps;
  const gameye = await deps.gameyeFor(REAPER_CALL_TIMEOUT_MS, (error) =>
    recordGameyeError(metrics, logger, error),
  );
  const observer: ReaperObserver = {
    ended(record, reason, bytes) {
      const m = metrics.singleMetric();
      m.addDimension(METRICS.sessionsStopped.dimensions[0], reason);
      m.addMetric(METRICS.sessionsStopped.name, MetricUnit.Count, 1);
      if (reason === 'orphan') metrics.addMetric(METRICS.orphansStopped.name, MetricUnit.Count, 1);
      metrics.addMetric(METRICS.artifactBytes.name, MetricUnit.Bytes, bytes);
      logger.info('session stopped and archived', {
        matchId: record.orphanOf ?? record.matchId,
        sessionId: record.sessionId,
        region: record.region,
        reason,
        bytes,
        manifestKey: record.archive?.manifestKey,
        missing: record.archive?.missing.map((x) => x.path),
      });
    },
    deferred(record, step, error) {
      // The index entry parsed, but the whole record, read before acting, did not: the same
      // corrupt record the CorruptRecords alarm counts when the index read skips one.
      if (error instanceof SessionItemError) {
        metrics.addMetric(METRICS.corruptRecordsSkipped.name, MetricUnit.Count, 1);
      }
      logger.warn('reaper step deferred to a later run', {
        matchId: record.matchId,
        sessionId: record.sessionId,
        region: record.region,
        step,
        identifier: identifierOf(error),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    },
    missing(record, path) {
      logger.warn('artifact missing at Gameye; recorded as missing', {
        matchId: record.matchId,
        sessionId: record.sessionId,
        region: record.region,
        path,
      });
    },
    listFailed(list, error) {
      logger.warn('a Gameye list failed this run', {
        list,
        identifier: identifierOf(error),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    },
    locationsUnlisted(locations) {
      logger.warn(
        'Gameye runs sessions in locations no list named; listing them by the names Gameye reported',
        {
          locations,
        },
      );
    },
    movedIntoReadShard(record, from) {
      logger.warn('record moved into a shard the reaper reads: activeShards was lowered', {
        matchId: record.matchId,
        sessionId: record.sessionId,
        region: record.region,
        from,
        to: record.activeShard,
      });
    },
    orphanStoppedAgain(live, record) {
      metrics.addMetric(METRICS.orphansStopped.name, MetricUnit.Count, 1);
      logger.warn('session still running after its orphan record ended: stopped again', {
        sessionId: live.id,
        matchId: live.labels['bridge-match-id'],
        region: live.location,
        liveness: live.liveness,
        endedAt: record.endedAt,
      });
    },
    orphan(live) {
      logger.warn('orphan session found: stopping and archiving it', {
        sessionId: live.id,
        matchId: live.labels['bridge-match-id'],
        region: live.location,
        liveness: live.liveness,
        created: new Date(live.created).toISOString(),
      });
    },
  };
  return {
    config: deps.config,
    store: deps.store,
    index: deps.index,
    gameye,
    archive: deps.archive,
    publisher: deps.publisher,
    clock: deps.clock,
    archivePrefix: deps.archivePrefix,
    runPeriodMs: deps.runPeriodMs,
    observer,
  };
}
