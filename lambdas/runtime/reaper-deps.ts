/**
 * Composition root of the reaper (and of the placement function's MatchEnded path): the one
 * place that turns the environment into real clients and adapters.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoActiveSessions } from '../adapters/dynamo-active-sessions.ts';
import { DynamoSessionStore } from '../adapters/dynamo-session-store.ts';
import { GameyeLifecycleAdapter } from '../adapters/gameye-lifecycle.ts';
import { S3ArchiveStore } from '../adapters/s3-archive.ts';
import { SnsEventPublisher } from '../adapters/sns-publisher.ts';
import { type Clock, systemClock } from '../core/ports.ts';
import { countGameyeAttempts } from '../handlers/gameye-telemetry.ts';
import { REAPER_RETRIES, type ReaperHandlerDeps } from '../handlers/reaper-handler.ts';
import { METRICS } from '../shared/metric-names.ts';
import { BRIDGE_RESOURCES } from '../shared/resources.ts';
import type { RuntimeEnv } from './env.ts';
import { gameyeClients } from './gameye-token.ts';

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? 'gameye-bridge-reaper';
const NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'GameyeBridge';

export interface ReaperClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly s3: S3Client;
}

export interface ReaperDepsOptions {
  readonly env: RuntimeEnv;
  readonly clients?: ReaperClients;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly clock?: Clock;
}

/** The archive bucket's client. Streamed bodies have no known length: checksums only where S3 requires them. */
export function defaultArchiveClient(): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
}

export function defaultReaperClients(): ReaperClients {
  return {
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
    s3: defaultArchiveClient(),
  };
}

export function reaperDeps(options: ReaperDepsOptions): ReaperHandlerDeps {
  const { env } = options;
  if (!env.archiveBucketName)
    throw new Error('stopping sessions needs ARCHIVE_BUCKET_NAME (the archive bucket)');
  const clients = options.clients ?? defaultReaperClients();
  const metrics = options.metrics ?? new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });
  const gameyeClient = gameyeClients(env.token, {
    baseUrl: env.gameyeBaseUrl,
    retries: REAPER_RETRIES,
    onRequest: countGameyeAttempts(metrics),
  });
  const logger = options.logger ?? new Logger({ serviceName: SERVICE });
  return {
    config: env.config,
    store: new DynamoSessionStore({ client: clients.dynamodb, tableName: env.tableName }),
    index: new DynamoActiveSessions({
      client: clients.dynamodb,
      tableName: env.tableName,
      shards: env.config.activeShards,
      // Skipped, not fatal: one bad item must not stop the reaper for every other session.
      // Counted (the CorruptRecords alarm watches the metric) and logged with its match id.
      onInvalidItem: (error) => {
        metrics.addMetric(METRICS.corruptRecordsSkipped.name, MetricUnit.Count, 1);
        logger.error('corrupt session record skipped by the reaper', {
          matchId: error.matchId,
          error: error.message,
        });
      },
    }),
    archive: new S3ArchiveStore({ client: clients.s3, bucket: env.archiveBucketName }),
    archivePrefix: BRIDGE_RESOURCES.archiveBucket.prefix,
    publisher: new SnsEventPublisher({ client: clients.sns, topicArn: env.topicArn }),
    gameyeFor: async (timeoutMs, onError) =>
      new GameyeLifecycleAdapter({ client: await gameyeClient(), timeoutMs, onError }),
    clock: options.clock ?? systemClock,
    runPeriodMs: (env.reaperRateMinutes ?? 1) * 60_000,
    logger,
    metrics,
  };
}
