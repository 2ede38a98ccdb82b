/**
 * `GameyeMatchBridge`: the whole bridge as one L3 construct. A studio drops it into its own
 * CDK app; `lib/bridge-stack.ts` is this project's own use of it.
 *
 * Resources are built from the shared plain-data definitions (`lambdas/shared/resources.ts`,
 * `lambdas/shared/sessions-table.ts`) that the local stack maps too, so what `npm start`
 * runs against and what `cdk deploy` creates cannot drift apart.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AssetStaging, CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BridgeConfig, type BridgeConfigInput, parseBridgeConfig } from '../lambdas/core/config.ts';
import { BRIDGE_RESOURCES, FUNCTION_ENV, PLACEMENT_TIMEOUT_SECONDS } from '../lambdas/shared/resources.ts';
import { BridgeAlarms, type BridgeAlarmThresholds } from './alarms.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from './bundle-options.ts';
import { BridgeDashboard } from './dashboard.ts';

/** How the matches queue and its DLQ are encrypted at rest. */
export type QueueEncryptionMode = 'sqs-managed' | 'kms';

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
   * Visibility timeout of the matches queue; must be at least 6 × `placementTimeout`.
   * @default 6 × placementTimeout
   */
  readonly matchesVisibilityTimeout?: Duration;
  /**
   * Most concurrent placement invocations the SQS event source starts (2–1000).
   * @default 10
   */
  readonly placementMaxConcurrency?: number;
  /**
   * Memory of both functions, in MiB.
   * @default 512
   */
  readonly memorySize?: number;
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
   * Removal policy of the sessions table and the archive buckets.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Keep every version of archived objects.
   * @default false
   */
  readonly archiveVersioned?: boolean;
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
   * `node bench/bundle-size.bench.ts` measures at about 12 ms; `false` saves that and logs
   * stack traces of the minified bundle (the maps still ship beside it).
   * @default true
   */
  readonly sourceMapsAtRuntime?: boolean;
}

const PINNED_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

const DEFAULT_GAMEYE_BASE_URL = 'https://api.production-gameye.gameye.net';
/**
 * Where this package's files are: `lambdas/` (the functions' sources, bundled at synth) and,
 * in a clone of the repository, its `package-lock.json`. This file runs from `lib/` in a clone
 * and from `dist/lib/` when the package is installed, so look up for the package.json.
 */
const PACKAGE_ROOT = packageRoot(import.meta.dirname);
/**
 * The lock file that pins the functions' dependencies, and the project root it marks: the
 * nearest one at or above the package. In a clone that is this repository's; an installed
 * package has none of its own (npm does not pack lock files), so it is the studio app's, as
 * for the app's own functions. Searched from here, not from the working directory (which is
 * where NodejsFunction would look), so a synth run from anywhere bundles the same.
 */
const LOCK_FILE = findLockFile(PACKAGE_ROOT);

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

function findLockFile(from: string): string | undefined {
  const names = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];
  for (let dir = from; ; dir = path.dirname(dir)) {
    const found = names.map((name) => path.join(dir, name)).find((file) => existsSync(file));
    if (found) return found;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** esbuild `--alias` values, relative to the project root: esbuild's working directory both
 * when bundling locally and (through `workingDirectory`) in CDK's Docker fallback. */
function aliasArgs(projectRoot: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [
      `--alias:${from}`,
      `./${path.relative(projectRoot, path.join(PACKAGE_ROOT, to)).split(path.sep).join('/')}`,
    ]),
  );
}

/**
 * The matchmaker-to-Gameye bridge: matches queue (with DLQ) feeding the placement function,
 * the sessions table, the session-events topic, the scheduled reaper, the archive bucket,
 * the Gameye token secret, alarms and a dashboard.
 */
export class GameyeMatchBridge extends Construct {
  /** The validated runtime config the functions receive. */
  public readonly bridgeConfig: Readonly<BridgeConfig>;
  /** The key encrypting the topics (and the queues when `queueEncryption` is `'kms'`). */
  public readonly encryptionKey: kms.IKey;
  /** Where the matchmaker sends MatchFound messages. */
  public readonly matchesQueue: sqs.Queue;
  /** Messages that failed `maxReceiveCount` times, and permanent failures with their reason. */
  public readonly deadLetterQueue: sqs.Queue;
  /** One item per match (`SESSIONS_TABLE`). */
  public readonly sessionsTable: dynamodb.Table;
  /** `session-events`: SessionReady / SessionFailed / SessionEnded, attribute `type`. */
  public readonly sessionEventsTopic: sns.Topic;
  /** Session artifacts and logs. */
  public readonly archiveBucket: s3.Bucket;
  /** Server access logs of the archive bucket, when enabled. */
  public readonly accessLogsBucket: s3.Bucket | undefined;
  /** The Gameye token (created or imported). */
  public readonly gameyeTokenSecret: secretsmanager.ISecret;
  public readonly placementFunction: NodejsFunction;
  public readonly reaperFunction: NodejsFunction;
  public readonly placementLogGroup: logs.LogGroup;
  public readonly reaperLogGroup: logs.LogGroup;
  /** Runs the reaper every `reaperRate`. */
  public readonly reaperSchedule: scheduler.Schedule;
  /** The SQS event source of the placement function. */
  public readonly placementEventSource: SqsEventSource;
  /** Alarms and their topic. */
  public readonly alarms: BridgeAlarms;
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard: BridgeDashboard | undefined;
  public readonly serviceName: string;
  public readonly metricsNamespace: string;
  /** The Gameye API the functions call. */
  public readonly gameyeBaseUrl: string;

  constructor(scope: Construct, id: string, props: GameyeMatchBridgeProps) {
    super(scope, id);
    // Feature flags the resources below depend on, set for this subtree so a studio's app
    // with other flags (or none) gets the same resources this project tests. Without this
    // one, S3 grants log delivery through an ACL, which the access-log bucket's enforced
    // bucket-owner setting (no ACLs) rejects.
    for (const [flag, value] of Object.entries(PINNED_FEATURE_FLAGS)) this.node.setContext(flag, value);
    const settings = resolveSettings(props);
    this.bridgeConfig = settings.bridgeConfig;
    this.serviceName = settings.serviceName;
    this.gameyeBaseUrl = settings.gameyeBaseUrl;
    this.metricsNamespace = settings.metricsNamespace;

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'Gameye match bridge: topics and queues',
        enableKeyRotation: true,
        removalPolicy: settings.removalPolicy,
      });
    if (!props.encryptionKey) {
      // CloudWatch alarms publish to the encrypted alarm topic only if the key lets them.
      // Only for this account's alarms (the confused-deputy guard AWS recommends).
      this.encryptionKey.grant(
        new iam.ServicePrincipal('cloudwatch.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
    }

    // Queues.
    const queueEncryption =
      settings.queueEncryption === 'kms'
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...queueEncryption,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(BRIDGE_RESOURCES.deadLetterQueue.retentionSeconds),
    });
    this.matchesQueue = new sqs.Queue(this, 'MatchesQueue', {
      ...queueEncryption,
      enforceSSL: true,
      visibilityTimeout: settings.visibilityTimeout,
      retentionPeriod: Duration.seconds(BRIDGE_RESOURCES.matchesQueue.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    // Sessions table, from the one definition.
    const def = BRIDGE_RESOURCES.sessionsTable;
    this.sessionsTable = new dynamodb.Table(this, 'SessionsTable', {
      partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: def.ttlAttribute,
      deletionProtection: settings.tableDeletionProtection,
      removalPolicy: settings.removalPolicy,
    });
    this.sessionsTable.addGlobalSecondaryIndex({
      indexName: def.activeIndex.name,
      partitionKey: {
        name: def.activeIndex.partitionKey.name,
        type: attributeType(def.activeIndex.partitionKey.type),
      },
      sortKey: { name: def.activeIndex.sortKey.name, type: attributeType(def.activeIndex.sortKey.type) },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // Session events.
    this.sessionEventsTopic = new sns.Topic(this, 'SessionEventsTopic', {
      displayName: BRIDGE_RESOURCES.sessionEventsTopic.name,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });

    // Archive.
    this.accessLogsBucket = settings.archiveAccessLogs
      ? new s3.Bucket(this, 'AccessLogsBucket', {
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          // S3 server access logging can deliver only to SSE-S3 buckets.
          encryption: s3.BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
          lifecycleRules: [{ expiration: Duration.days(90) }],
          removalPolicy: settings.removalPolicy,
        })
      : undefined;
    if (this.accessLogsBucket) {
      Validations.of(this.accessLogsBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This is the access-logs bucket itself; logging it into itself would loop.',
      });
    }
    this.archiveBucket = new s3.Bucket(this, 'ArchiveBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: settings.archiveVersioned,
      lifecycleRules: [settings.archiveLifecycle],
      removalPolicy: settings.removalPolicy,
      ...(this.accessLogsBucket
        ? {
            serverAccessLogsBucket: asInterface<s3.IBucket>(this.accessLogsBucket),
            serverAccessLogsPrefix: 'archive/',
          }
        : {}),
    });
    if (!this.accessLogsBucket) {
      Validations.of(this.archiveBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Access logging turned off by the archiveAccessLogs prop; CloudTrail data events can audit it.',
      });
    }

    // The Gameye token: its ARN goes to the functions, never its value.
    this.gameyeTokenSecret = props.gameyeTokenSecretArn
      ? secretsmanager.Secret.fromSecretAttributes(this, 'GameyeToken', {
          secretCompleteArn: props.gameyeTokenSecretArn,
          ...(props.gameyeTokenSecretKeyArn
            ? { encryptionKey: kms.Key.fromKeyArn(this, 'GameyeTokenKey', props.gameyeTokenSecretKeyArn) }
            : {}),
        })
      : asInterface<secretsmanager.ISecret>(
          new secretsmanager.Secret(this, 'GameyeToken', {
            description: 'Gameye API token of the match bridge; created empty, set it with put-secret-value.',
            removalPolicy: settings.removalPolicy,
          }),
        );
    if (this.gameyeTokenSecret instanceof secretsmanager.Secret) {
      // Created empty (no value at all), so a forgotten token fails every invocation with a
      // message that says so, instead of a generated value Gameye answers with 401s.
      const cfn = this.gameyeTokenSecret.node.defaultChild as secretsmanager.CfnSecret;
      cfn.addPropertyDeletionOverride('GenerateSecretString');
    }
    if (this.gameyeTokenSecret instanceof secretsmanager.Secret) {
      Validations.of(this.gameyeTokenSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Gameye issues the token; there is no API to rotate it, the operator replaces it by hand.',
      });
    }

    // Functions.
    const common = {
      [FUNCTION_ENV.tableName]: this.sessionsTable.tableName,
      [FUNCTION_ENV.topicArn]: this.sessionEventsTopic.topicArn,
      [FUNCTION_ENV.gameyeBaseUrl]: settings.gameyeBaseUrl,
      [FUNCTION_ENV.gameyeTokenSecretArn]: this.gameyeTokenSecret.secretArn,
      [FUNCTION_ENV.bridgeConfig]: JSON.stringify(settings.bridgeConfig),
      [FUNCTION_ENV.powertoolsServiceName]: settings.serviceName,
      [FUNCTION_ENV.powertoolsMetricsNamespace]: settings.metricsNamespace,
      ...(settings.sourceMapsAtRuntime ? { [FUNCTION_ENV.nodeOptions]: BUNDLE_OPTIONS.nodeOptions } : {}),
    };
    this.placementLogGroup = this.logGroup('PlacementLogGroup', settings);
    this.placementFunction = this.bridgeFunction('Placement', {
      entry: FUNCTION_ENTRIES.placement,
      description: 'Gameye match bridge: places MatchFound messages on Gameye',
      timeout: settings.placementTimeout,
      memorySize: settings.memorySize,
      logGroup: this.placementLogGroup,
      environment: {
        ...common,
        [FUNCTION_ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
        [FUNCTION_ENV.maxReceiveCount]: String(settings.maxReceiveCount),
      },
    });
    this.reaperLogGroup = this.logGroup('ReaperLogGroup', settings);
    this.reaperFunction = this.bridgeFunction('Reaper', {
      entry: FUNCTION_ENTRIES.reaper,
      description: 'Gameye match bridge: stops idle and orphaned sessions, archives artifacts',
      timeout: settings.reaperTimeout,
      memorySize: settings.memorySize,
      logGroup: this.reaperLogGroup,
      // One run at a time: an overlapping scheduled invocation is throttled and, with no
      // asynchronous retries, dropped; the next scheduled run does the same work.
      reservedConcurrentExecutions: 1,
      asyncInvoke: { retryAttempts: 0, maxEventAge: Duration.minutes(1) },
      environment: { ...common, [FUNCTION_ENV.archiveBucketName]: this.archiveBucket.bucketName },
    });

    this.placementEventSource = new SqsEventSource(this.matchesQueue, {
      batchSize: BRIDGE_RESOURCES.matchesQueue.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: settings.placementMaxConcurrency,
    });
    this.placementFunction.addEventSource(this.placementEventSource);

    this.grantPermissions();

    // Own role, so the schedule's permissions live inside this construct (not a stack singleton).
    const scheduleRole = new iam.Role(this, 'ReaperScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Gameye match bridge reaper',
    });
    this.reaperSchedule = new scheduler.Schedule(this, 'ReaperSchedule', {
      description: 'Runs the Gameye match bridge reaper',
      schedule: scheduler.ScheduleExpression.rate(settings.reaperRate),
      target: new LambdaInvoke(this.reaperFunction, {
        role: scheduleRole,
        // A missed run is not worth catching up: the next one does the same work.
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });

    const scheduleRolePolicy = scheduleRole.node.tryFindChild('DefaultPolicy');
    if (scheduleRolePolicy) {
      Validations.of(scheduleRolePolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.reaperFunction)}.Arn>:*]`,
        reason:
          'LambdaInvoke grants the function and its versions (ARN:*); the schedule invokes $LATEST only.',
      });
    }

    this.alarms = new BridgeAlarms(this, 'Alarms', {
      bridge: this,
      encryptionKey: this.encryptionKey,
      reaperRate: settings.reaperRate,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      thresholds: props.alarmThresholds ?? {},
    });
    this.dashboard = settings.dashboard
      ? new BridgeDashboard(this, 'Dashboard', {
          bridge: this,
          alarms: this.alarms,
          placementTimeout: settings.placementTimeout,
          reaperTimeout: settings.reaperTimeout,
        })
      : undefined;
  }

  /**
   * Least privilege, spelled out action by action instead of `grantReadWriteData`, so the
   * policies say exactly what each function does.
   */
  private grantPermissions(): void {
    const table = this.sessionsTable;
    const activeIndexArn = `${table.tableArn}/index/${BRIDGE_RESOURCES.sessionsTable.activeIndex.name}`;

    // The session store claims and transitions with conditional PutItem, reads with GetItem.
    // Placement: claim, read back, move the record along.
    this.placementFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [table.tableArn],
      }),
    );
    this.sessionEventsTopic.grantPublish(this.placementFunction);
    this.placementFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    if (this.deadLetterQueue.encryptionMasterKey) {
      this.deadLetterQueue.encryptionMasterKey.grant(
        this.placementFunction,
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
    }
    this.grantTokenRead(this.placementFunction);

    // Reaper: query the active-sessions index shard by shard, read and update records.
    this.reaperFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [table.tableArn],
      }),
    );
    this.reaperFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [activeIndexArn] }),
    );
    this.sessionEventsTopic.grantPublish(this.reaperFunction);
    // Streamed uploads: PutObject covers Create/UploadPart/Complete; Abort cleans up. Only the
    // reaper archives (MatchEnded stops a session; the reaper's next run archives it).
    this.reaperFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.archiveBucket.arnForObjects(`${BRIDGE_RESOURCES.archiveBucket.prefix}/*`)],
      }),
    );
    this.grantTokenRead(this.reaperFunction);

    const objectsResource = `Resource::<${this.logicalIdOf(this.archiveBucket)}.Arn>/${BRIDGE_RESOURCES.archiveBucket.prefix}/*`;
    const reaperPolicy = this.reaperFunction.role?.node.tryFindChild('DefaultPolicy');
    if (reaperPolicy) {
      Validations.of(reaperPolicy).acknowledge(
        {
          id: `AwsSolutions-IAM5[${objectsResource}]`,
          reason: 'Artifact keys are per session, unknown at deploy time; limited to the archive prefix.',
        },
        {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason: 'What grantPublish on a KMS-encrypted topic needs; limited to the one key.',
        },
      );
    }
    const placementPolicy = this.placementFunction.role?.node.tryFindChild('DefaultPolicy');
    if (placementPolicy) {
      Validations.of(placementPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'What grantPublish on a KMS-encrypted topic needs; limited to the one key.',
      });
    }
  }

  /** The CloudFormation logical id cdk-nag names a resource by in its finding ids. */
  private logicalIdOf(construct: Construct): string {
    const cfn = construct.node.defaultChild;
    if (!(cfn instanceof CfnElement))
      throw new Error(`GameyeMatchBridge: ${construct.node.path} has no CloudFormation resource`);
    return Stack.of(this).getLogicalId(cfn);
  }

  private logGroup(id: string, settings: Settings): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * GetSecretValue on the token secret, and nothing else (`grantRead` adds DescribeSecret, which
   * the functions never call). A secret imported with a customer-managed key needs that key's
   * decrypt too: `gameyeTokenSecretKeyArn`.
   */
  private grantTokenRead(fn: lambda.IFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.gameyeTokenSecret.secretArn],
      }),
    );
    this.gameyeTokenSecret.encryptionKey?.grantDecrypt(fn);
  }

  private bridgeFunction(
    id: string,
    options: {
      entry: string;
      description: string;
      timeout: Duration;
      memorySize: number;
      logGroup: logs.LogGroup;
      environment: Record<string, string>;
      reservedConcurrentExecutions?: number;
      /** Lambda's own retries of asynchronous invocations (the scheduler invokes asynchronously). */
      asyncInvoke?: { retryAttempts: number; maxEventAge: Duration };
    },
  ): NodejsFunction {
    // Own role: log writes limited to its own group, no AWSLambdaBasicExecutionRole (`*`).
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Gameye match bridge ${id.toLowerCase()} function`,
    });
    options.logGroup.grantWrite(role);
    return new NodejsFunction(this, `${id}Function`, {
      entry: path.join(PACKAGE_ROOT, options.entry),
      handler: FUNCTION_ENTRIES.handler,
      ...(LOCK_FILE ? { projectRoot: path.dirname(LOCK_FILE), depsLockFilePath: LOCK_FILE } : {}),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: options.description,
      timeout: options.timeout,
      memorySize: options.memorySize,
      role,
      logGroup: options.logGroup,
      environment: options.environment,
      ...(options.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
      ...(options.asyncInvoke ?? {}),
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: BUNDLE_OPTIONS.sourcemap,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        define: { ...BUNDLE_OPTIONS.define },
        externalModules: [...BUNDLE_OPTIONS.external],
        sourcesContent: BUNDLE_OPTIONS.sourcesContent,
        esbuildArgs: aliasArgs(LOCK_FILE ? path.dirname(LOCK_FILE) : process.cwd()),
        workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
        forceDockerBundling: false,
      },
    });
  }
}

interface Settings {
  bridgeConfig: Readonly<BridgeConfig>;
  gameyeBaseUrl: string;
  serviceName: string;
  metricsNamespace: string;
  queueEncryption: QueueEncryptionMode;
  maxReceiveCount: number;
  placementTimeout: Duration;
  visibilityTimeout: Duration;
  placementMaxConcurrency: number;
  memorySize: number;
  reaperRate: Duration;
  reaperTimeout: Duration;
  tableDeletionProtection: boolean;
  removalPolicy: RemovalPolicy;
  archiveVersioned: boolean;
  archiveLifecycle: s3.LifecycleRule;
  archiveAccessLogs: boolean;
  logRetention: logs.RetentionDays;
  alarmEmail: string | undefined;
  dashboard: boolean;
  sourceMapsAtRuntime: boolean;
}

/** Defaults applied and every combination checked, before any resource is created. */
function resolveSettings(props: GameyeMatchBridgeProps): Settings {
  const fail = (message: string): never => {
    throw new Error(`GameyeMatchBridge: ${message}`);
  };

  const bridgeConfig = parseBridgeConfig(props.bridgeConfig);

  const gameyeBaseUrl = props.gameyeBaseUrl ?? DEFAULT_GAMEYE_BASE_URL;
  if (!Token.isUnresolved(gameyeBaseUrl) && !/^https:\/\/[^\s/]+/.test(gameyeBaseUrl)) {
    fail(`gameyeBaseUrl must be an https:// URL, got '${gameyeBaseUrl}'.`);
  }
  const arn = props.gameyeTokenSecretArn;
  if (
    arn !== undefined &&
    !Token.isUnresolved(arn) &&
    !/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.+-[A-Za-z0-9]{6}$/.test(arn)
  ) {
    fail(
      `gameyeTokenSecretArn must be the complete ARN of a Secrets Manager secret (ending in its 6-character suffix), got '${arn}'.`,
    );
  }
  const keyArn = props.gameyeTokenSecretKeyArn;
  if (keyArn !== undefined && arn === undefined) {
    fail('gameyeTokenSecretKeyArn needs gameyeTokenSecretArn: it is the key of an imported secret.');
  }
  if (
    keyArn !== undefined &&
    !Token.isUnresolved(keyArn) &&
    !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/.test(keyArn)
  ) {
    fail(
      `gameyeTokenSecretKeyArn must be the ARN of a KMS key (arn:…:kms:region:account:key/id), got '${keyArn}'.`,
    );
  }

  const queueEncryption = props.queueEncryption ?? 'sqs-managed';
  if (queueEncryption !== 'sqs-managed' && queueEncryption !== 'kms') {
    fail(`queueEncryption must be 'sqs-managed' or 'kms', got '${String(queueEncryption)}'.`);
  }

  const maxReceiveCount = props.maxReceiveCount ?? BRIDGE_RESOURCES.matchesQueue.maxReceiveCount;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    fail(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}.`);
  }

  const placementTimeout = props.placementTimeout ?? Duration.seconds(PLACEMENT_TIMEOUT_SECONDS);
  if (placementTimeout.toSeconds() < 1 || placementTimeout.toSeconds() > 900) {
    fail(`placementTimeout must be from 1 second to 15 minutes, got ${placementTimeout.toHumanString()}.`);
  }
  if (bridgeConfig.placementDeadlineMs >= placementTimeout.toMilliseconds()) {
    fail(
      `bridgeConfig.placementDeadlineMs (${bridgeConfig.placementDeadlineMs} ms) must be shorter than placementTimeout (${placementTimeout.toMilliseconds()} ms), or Lambda kills a placement before it gives up cleanly.`,
    );
  }
  const minimumVisibility = placementTimeout.toSeconds() * 6;
  const visibilityTimeout = props.matchesVisibilityTimeout ?? Duration.seconds(minimumVisibility);
  if (visibilityTimeout.toSeconds() < minimumVisibility) {
    fail(
      `matchesVisibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least 6 × placementTimeout (${minimumVisibility} s), or a message is redelivered while still being placed.`,
    );
  }
  if (visibilityTimeout.toSeconds() > 12 * 3600) {
    fail(`matchesVisibilityTimeout must not exceed 12 hours (SQS limit); lower placementTimeout.`);
  }
  // The reaper treats a PLACING record older than orphanGraceMs as abandoned: that must only
  // happen once SQS can no longer deliver the match (every receive and visibility window spent).
  const retryWindowMs = visibilityTimeout.toMilliseconds() * maxReceiveCount;
  if (bridgeConfig.orphanGraceMs <= retryWindowMs) {
    fail(
      `bridgeConfig.orphanGraceMs (${bridgeConfig.orphanGraceMs} ms) must be longer than the SQS retry window, matchesVisibilityTimeout × maxReceiveCount (${retryWindowMs} ms), or the reaper abandons matches placement is still retrying.`,
    );
  }

  const placementMaxConcurrency = props.placementMaxConcurrency ?? 10;
  if (
    !Number.isInteger(placementMaxConcurrency) ||
    placementMaxConcurrency < 2 ||
    placementMaxConcurrency > 1000
  ) {
    fail(
      `placementMaxConcurrency must be an integer from 2 to 1000 (SQS event source limit), got ${placementMaxConcurrency}.`,
    );
  }

  const memorySize = props.memorySize ?? 512;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
    fail(`memorySize must be an integer from 128 to 10240 MiB, got ${memorySize}.`);
  }

  const reaperRate = props.reaperRate ?? Duration.minutes(1);
  const rateSeconds = reaperRate.toSeconds();
  if (rateSeconds < 60 || rateSeconds % 60 !== 0) {
    fail(`reaperRate must be a whole number of minutes, at least 1, got ${reaperRate.toHumanString()}.`);
  }
  const reaperTimeout = props.reaperTimeout ?? (rateSeconds > 900 ? Duration.minutes(15) : reaperRate);
  if (reaperTimeout.toSeconds() > rateSeconds) {
    fail(
      `reaperTimeout (${reaperTimeout.toHumanString()}) must not exceed reaperRate (${reaperRate.toHumanString()}): a run must end before the next starts.`,
    );
  }
  if (reaperTimeout.toSeconds() < 1 || reaperTimeout.toSeconds() > 900) {
    fail(`reaperTimeout must be from 1 second to 15 minutes, got ${reaperTimeout.toHumanString()}.`);
  }

  const archiveLifecycle = lifecycleRule(props, fail);

  const alarmEmail = props.alarmEmail;
  if (
    alarmEmail !== undefined &&
    !Token.isUnresolved(alarmEmail) &&
    !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)
  ) {
    fail(`alarmEmail must be an email address, got '${alarmEmail}'.`);
  }

  const serviceName = props.serviceName ?? 'gameye-match-bridge';
  const metricsNamespace = props.metricsNamespace ?? 'GameyeMatchBridge';
  if (!/^[A-Za-z0-9._\-/#:]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    fail(`metricsNamespace '${metricsNamespace}' is not a valid custom CloudWatch namespace.`);
  }

  return {
    bridgeConfig,
    gameyeBaseUrl,
    serviceName,
    metricsNamespace,
    queueEncryption,
    maxReceiveCount,
    placementTimeout,
    visibilityTimeout,
    placementMaxConcurrency,
    memorySize,
    reaperRate,
    reaperTimeout,
    tableDeletionProtection: props.tableDeletionProtection ?? true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    archiveVersioned: props.archiveVersioned ?? false,
    archiveLifecycle,
    archiveAccessLogs: props.archiveAccessLogs ?? true,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    alarmEmail,
    dashboard: props.dashboard ?? true,
    sourceMapsAtRuntime: props.sourceMapsAtRuntime ?? true,
  };
}

function lifecycleRule(props: GameyeMatchBridgeProps, fail: (message: string) => never): s3.LifecycleRule {
  const ia =
    props.archiveInfrequentAccessAfter === undefined ? Duration.days(30) : props.archiveInfrequentAccessAfter;
  const glacier = props.archiveGlacierAfter === undefined ? Duration.days(90) : props.archiveGlacierAfter;
  const expire = props.archiveExpireAfter === undefined ? Duration.days(365) : props.archiveExpireAfter;
  if (ia && ia.toDays() < 30) {
    fail(`archiveInfrequentAccessAfter must be at least 30 days (S3 minimum), got ${ia.toDays()}.`);
  }
  if (ia && glacier && glacier.toDays() <= ia.toDays()) {
    fail(
      `archiveGlacierAfter (${glacier.toDays()} days) must come after archiveInfrequentAccessAfter (${ia.toDays()} days).`,
    );
  }
  const lastTransition = Math.max(ia?.toDays() ?? 0, glacier?.toDays() ?? 0);
  if (expire && expire.toDays() <= lastTransition) {
    fail(
      `archiveExpireAfter (${expire.toDays()} days) must come after the last transition (${lastTransition} days).`,
    );
  }
  const transitions: s3.Transition[] = [];
  if (ia) transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ia });
  if (glacier) transitions.push({ storageClass: s3.StorageClass.GLACIER, transitionAfter: glacier });
  return {
    id: 'archive-retention',
    abortIncompleteMultipartUploadAfter: Duration.days(1),
    ...(transitions.length > 0 ? { transitions } : {}),
    ...(expire ? { expiration: expire } : {}),
    ...(props.archiveVersioned && expire ? { noncurrentVersionExpiration: expire } : {}),
  };
}

/**
 * Upcast a CDK class to its interface. jsii classes declare optional fields as
 * `T | undefined`, which `exactOptionalPropertyTypes` will not assign to `field?: T`.
 */
function asInterface<I>(value: object): I {
  return value as I;
}

function attributeType(type: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
  }
}
