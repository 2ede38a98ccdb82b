/**
 * What the bridge needs around its functions: the matches queue with its DLQ, the
 * session-events topic and the archive bucket, and the environment contract of the
 * functions. The CDK construct (`lib/`), the local stack (`tools/local/`) and the functions'
 * composition roots all read these values, so `npm start` runs against the same shapes
 * `cdk deploy` makes. Plain data: no CDK or SDK import, so the Lambda bundles can hold it.
 */
import { SESSIONS_TABLE } from './sessions-table.ts';

/** Gameye's production API: where the functions and the CLI's deployed mode go by default. */
export const DEFAULT_GAMEYE_BASE_URL = 'https://api.production-gameye.gameye.net';

/** Seconds the placement function may run; the queue's visibility timeout derives from it. */
export const PLACEMENT_TIMEOUT_SECONDS = 30;

export const BRIDGE_RESOURCES = {
  sessionsTable: SESSIONS_TABLE,
  matchesQueue: {
    /** AWS's guidance for Lambda event sources: at least 6× the function timeout. */
    visibilityTimeoutSeconds: PLACEMENT_TIMEOUT_SECONDS * 6,
    /** Receives before SQS moves a message to the DLQ (transient failures only reach it). */
    maxReceiveCount: 5,
    retentionSeconds: 4 * 24 * 3600,
    /** Records per Lambda invocation; placements run concurrently inside a batch. */
    batchSize: 10,
    /**
     * Concurrent placement invocations the event source starts (the construct's default
     * `placementMaxConcurrency`, and local mode's number of pollers).
     */
    maxConcurrency: 10,
  },
  deadLetterQueue: { retentionSeconds: 14 * 24 * 3600 },
  sessionEventsTopic: { name: 'session-events', typeAttribute: 'type' },
  archiveBucket: { prefix: 'sessions' },
} as const;

/**
 * Environment variable names the deployed functions receive; the handlers' composition
 * root reads exactly these. The Gameye token is never among them: only its secret's ARN.
 */
export const FUNCTION_ENV = {
  /** Both functions. */
  tableName: 'SESSIONS_TABLE_NAME',
  /** Both functions. */
  topicArn: 'SESSION_EVENTS_TOPIC_ARN',
  /** Placement only: where a permanent failure is parked with its reason. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** Placement only: the matches queue, whose retries it spaces out (ChangeMessageVisibility). */
  matchesQueueUrl: 'MATCHES_QUEUE_URL',
  /** Placement only: the queue's maxReceiveCount, so the last delivery settles its match. */
  maxReceiveCount: 'MATCHES_MAX_RECEIVE_COUNT',
  /** Reaper only: the placement function stops ended matches but never archives. */
  archiveBucketName: 'ARCHIVE_BUCKET_NAME',
  /**
   * Reaper only: the minutes between scheduled runs, so a run knows how far the windows it
   * rotates through long lists move (`core/reaper/rotation.ts`). Absent: one.
   */
  reaperRateMinutes: 'REAPER_RATE_MINUTES',
  /** Both functions. */
  gameyeBaseUrl: 'GAMEYE_BASE_URL',
  /** Both functions: a Secrets Manager ARN, read at runtime and cached. */
  gameyeTokenSecretArn: 'GAMEYE_TOKEN_SECRET_ARN',
  /** Both functions: the runtime config, validated at synth, as JSON. */
  bridgeConfig: 'BRIDGE_CONFIG',
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsMetricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  nodeOptions: 'NODE_OPTIONS',
} as const;
