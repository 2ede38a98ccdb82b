/**
 * What the bridge needs around its functions: the matches queue with its DLQ, the
 * session-events topic and the archive bucket. The CDK construct and the local stack both
 * build from these values, so `npm start` runs against the same shapes `cdk deploy` makes.
 * Plain data: no CDK or SDK import.
 */
import { SESSIONS_TABLE } from '../lambdas/shared/sessions-table.ts';

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
  },
  deadLetterQueue: { retentionSeconds: 14 * 24 * 3600 },
  sessionEventsTopic: { name: 'session-events', typeAttribute: 'type' },
  archiveBucket: { prefix: 'sessions' },
} as const;

/** Names used by the local stack (CDK generates its own in AWS). */
export const LOCAL_NAMES = {
  table: 'bridge-sessions',
  matchesQueue: 'bridge-matches',
  deadLetterQueue: 'bridge-matches-dlq',
  topic: 'session-events',
  /** A queue subscribed to the topic: stands in for the game backend locally and in tests. */
  backendQueue: 'bridge-game-backend',
  bucket: 'bridge-archive',
} as const;
