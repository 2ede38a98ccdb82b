/**
 * The props of `GameyeMatchBridge`, each with its default. Defaults are applied and every
 * combination is checked in `bridge-settings.ts` before the construct creates anything.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { BridgeConfigInput } from '../lambdas/core/config.ts';
import type { BridgeAlarmThresholds } from './alarms.ts';

/** How the matches queue and its DLQ are encrypted at rest. */
export type QueueEncryptionMode = 'sqs-managed' | 'kms';

/** One FlexMatch matchmaking configuration whose matches the bridge places. */
export interface FlexMatchConfigurationProps {
  /** The profile (a key of `bridgeConfig.profiles`) this configuration's matches run. */
  readonly profile: string;
}

/** Amazon GameLift FlexMatch in standalone mode as the matchmaker. */
export interface FlexMatchProps {
  /**
   * Matchmaking configurations by NAME (not ARN), each with the profile its matches run. The
   * configurations must be in this stack's region and account: that is where GameLift sends
   * their events.
   */
  readonly configurations: Readonly<Record<string, FlexMatchConfigurationProps>>;
}

/** Props of {@link GameyeMatchBridge}. Every one is optional but `bridgeConfig`. */
export interface GameyeMatchBridgeProps {
  /**
   * The runtime config (region aliases, latency cap, images, …). Validated here by
   * `parseBridgeConfig`, so a bad config fails `cdk synth` with the field's name; the
   * functions receive the parsed result (defaults applied) as JSON in `BRIDGE_CONFIG`.
   * Also accepts JSON read from a file: it is validated the same way.
   */
  readonly bridgeConfig: BridgeConfigInput;
  /**
   * Take matches from Amazon GameLift FlexMatch (standalone): an EventBridge rule sends the
   * `MatchmakingSucceeded` events of these configurations to the matches queue (FlexMatch's
   * other events are not sent), with a dead-letter queue of its own for events it could not
   * deliver; the placement function may call `gamelift:DescribeMatchmaking` for the players'
   * latencies; and the functions' config gets the same map as `sources.flexMatch` (so it must
   * not be in `bridgeConfig.sources` too). Formats the config's `sources` names are still
   * accepted; with no `sources` there, MatchFound v1 stays accepted beside FlexMatch.
   *
   * With `queueEncryption: 'kms'` and your own `encryptionKey`, its policy must let
   * `events.amazonaws.com` use it (`kms:GenerateDataKey`, `kms:Decrypt`); the construct adds
   * that statement itself when the key is defined in the same app.
   * @default - no FlexMatch: no rule, no GameLift permission
   */
  readonly flexMatch?: FlexMatchProps;
  /**
   * Gameye API base URL (HTTPS).
   * @default 'https://api.production-gameye.gameye.net'
   */
  readonly gameyeBaseUrl?: string;
  /**
   * Complete ARN of an existing Secrets Manager secret holding the Gameye token (its whole
   * `SecretString`). When absent, the construct creates an empty secret that the operator
   * sets with `aws secretsmanager put-secret-value`; until then every invocation fails with a
   * log line saying so.
   * @default - a new, empty secret
   */
  readonly gameyeTokenSecretArn?: string;
  /**
   * ARN of the customer-managed KMS key the imported secret (`gameyeTokenSecretArn`) is
   * encrypted with; the functions get `kms:Decrypt` on it. Not needed for the default
   * `aws/secretsmanager` key. Only valid with `gameyeTokenSecretArn`.
   * @default - the secret uses the AWS managed key
   */
  readonly gameyeTokenSecretKeyArn?: string;
  /**
   * `POWERTOOLS_SERVICE_NAME` of both functions; also the `service` dimension of every
   * custom metric the alarms select.
   * @default 'gameye-match-bridge'
   */
  readonly serviceName?: string;
  /**
   * CloudWatch namespace of the custom metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   * @default 'GameyeMatchBridge'
   */
  readonly metricsNamespace?: string;
  /**
   * Encryption of the matches queue and its DLQ.
   * @default 'sqs-managed'
   */
  readonly queueEncryption?: QueueEncryptionMode;
  /**
   * Customer-managed key for the topics and, with `queueEncryption: 'kms'`, the queues.
   * Its policy must let CloudWatch (`cloudwatch.amazonaws.com`) use it for the alarm topic.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Receives before a match message moves to the DLQ (1–1000).
   * @default BRIDGE_RESOURCES.matchesQueue.maxReceiveCount (5)
   */
  readonly maxReceiveCount?: number;
  /**
   * Timeout of the placement function (at most 15 minutes).
   * @default Duration.seconds(PLACEMENT_TIMEOUT_SECONDS) (30 s)
   */
  readonly placementTimeout?: Duration;
  /**
   * Visibility timeout of the matches queue; must be at least 6 × `placementTimeout`. With
   * `maxReceiveCount` and `bridgeConfig.retryBackoff.maxDelaySeconds` it bounds how long SQS
   * may go on delivering a match, which `bridgeConfig.orphanGraceMs` must outlast (see
   * `retryWindowMs` in `bridge-settings.ts`).
   * @default 6 × placementTimeout
   */
  readonly matchesVisibilityTimeout?: Duration;
  /**
   * Most concurrent placement invocations the SQS event source starts (2–1000).
   * @default 10
   */
  readonly placementMaxConcurrency?: number;
  /**
   * Memory of both functions, in MiB (the reaper's unless `reaperMemorySize` is set).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Memory of the reaper, in MiB. The location with the most of the deployment's sessions sets
   * its peak, since that location's list is read whole: raise it above about 40,000 sessions in
   * one location (`node bench/list-memory.bench.ts`; the ReaperMemoryHigh alarm watches it).
   * @default memorySize
   */
  readonly reaperMemorySize?: number;
  /**
   * How often the reaper runs (whole minutes, at least 1).
   * @default Duration.minutes(1)
   */
  readonly reaperRate?: Duration;
  /**
   * Timeout of the reaper; must not exceed `reaperRate`, so one run ends before the next.
   * @default reaperRate
   */
  readonly reaperTimeout?: Duration;
  /**
   * Deletion protection of the sessions table.
   * @default true
   */
  readonly tableDeletionProtection?: boolean;
  /**
   * What CloudFormation does with every resource that holds data or decrypts it when the
   * stack is deleted or the resource replaced: the sessions table, the archive and access-log
   * buckets, both queues, both log groups, the encryption key and the token secret.
   * `RETAIN` (or `RETAIN_ON_UPDATE_OR_DELETE`) keeps them; `DESTROY` deletes them, though
   * CloudFormation cannot delete a bucket that still holds objects (or versions) nor a table
   * with `tableDeletionProtection`. `SNAPSHOT` is rejected: none of these resources has one.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Keep every version of archived objects, so an overwritten or deleted artifact or manifest
   * can be recovered (and an overwrite is visible in the object's version list). Noncurrent
   * versions expire after `archiveNoncurrentVersionExpiration`. For archives kept as
   * evidence, add S3 Object Lock on top (README, "Deploy and operate").
   * @default true
   */
  readonly archiveVersioned?: boolean;
  /**
   * With `archiveVersioned`, how long a version that was overwritten or deleted is kept, or
   * `null` to keep it until the bucket is emptied by hand.
   * @default Duration.days(30)
   */
  readonly archiveNoncurrentVersionExpiration?: Duration | null;
  /**
   * Age at which archived artifacts move to S3 Standard-IA (at least 30 days), or `null` to
   * keep them in Standard.
   * @default Duration.days(30)
   */
  readonly archiveInfrequentAccessAfter?: Duration | null;
  /**
   * Age at which archived artifacts move to Glacier Flexible Retrieval, or `null` never to.
   * @default Duration.days(90)
   */
  readonly archiveGlacierAfter?: Duration | null;
  /**
   * Age at which archived artifacts are deleted, or `null` to keep them for ever.
   * @default Duration.days(365)
   */
  readonly archiveExpireAfter?: Duration | null;
  /**
   * Write S3 server access logs of the archive bucket to a separate logs bucket.
   * @default true
   */
  readonly archiveAccessLogs?: boolean;
  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * An address subscribed (by email) to the alarm topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Alarm thresholds; each unset one takes its documented default (see `BridgeAlarmThresholds`).
   * @default - the defaults of `BridgeAlarmThresholds`
   */
  readonly alarmThresholds?: BridgeAlarmThresholds;
  /**
   * Create the CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Map stack traces in the functions' logs to the TypeScript sources (`NODE_OPTIONS=
   * --enable-source-maps`). Node then parses each function's source map at cold start, which
   * `node bench/bundle-size.bench.ts` measures (the README's "Benchmarks" has the figure), so
   * it is off by default: stack traces name the minified bundle's lines, and the map shipped
   * beside each bundle (`index.mjs.map`) translates them when needed. Turn it on while
   * debugging a function whose cold start does not matter.
   * @default BUNDLE_OPTIONS.sourceMapsAtRuntime (false)
   */
  readonly sourceMapsAtRuntime?: boolean;
}
