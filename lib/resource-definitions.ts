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
  /** Placement only: the queue's maxReceiveCount, so the last delivery settles its match. */
  maxReceiveCount: 'MATCHES_MAX_RECEIVE_COUNT',
  /** Reaper, and placement (MatchEnded archives at once). */
  archiveBucketName: 'ARCHIVE_BUCKET_NAME',
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

/** Lambda entry points, relative to the project root, and their exported handler. */
export const FUNCTION_ENTRIES = {
  placement: 'lambdas/handlers/placement.ts',
  reaper: 'lambdas/handlers/reaper.ts',
  handler: 'handler',
} as const;

/**
 * How the functions are bundled. The construct and `bench/bundle-size.bench.ts` both read
 * this, so the benchmark measures what ships.
 */
export const BUNDLE_OPTIONS = {
  target: 'node24',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  /** ESM output has no `require`; CommonJS dependencies bundled into it still call it. */
  banner:
    "import { createRequire as __bridgeCreateRequire } from 'node:module'; const require = __bridgeCreateRequire(import.meta.url);",
  /**
   * undici's own switch for bundled builds (Node core's build sets it too): it drops the
   * experimental Milo HTTP parser, ~150 KB of WebAssembly the client never uses, and keeps
   * llhttp, the parser Node itself ships.
   */
  define: { esbuildDetection: '"bundled"' } as Readonly<Record<string, string>>,
  /**
   * `import … from 'node:http'` in ESM (the AWS SDK does) makes Node copy every export of the
   * module, and three of them (WebSocket, CloseEvent, MessageEvent) are getters that load
   * Node's own copy of undici and fetch: about 15 ms of cold start for classes the functions
   * never use. Aliased to a CommonJS re-export, the bundle reads the same module through
   * `require`, which copies nothing. Paths are relative to the project root.
   */
  alias: {
    http: 'lambdas/runtime/node-http.cjs',
    'node:http': 'lambdas/runtime/node-http.cjs',
  } as Readonly<Record<string, string>>,
  /** The Node 24 Lambda runtime ships AWS SDK v3, but bundling pins the version we tested. */
  external: [] as readonly string[],
  /**
   * Source maps name files and lines, without a copy of every source: Node parses the map
   * at cold start (`--enable-source-maps`), and the sources would triple its size.
   */
  sourcesContent: false,
  /** Set on both functions: stack traces in the logs point at the TypeScript sources. */
  nodeOptions: '--enable-source-maps',
} as const;
