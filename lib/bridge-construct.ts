/**
 * `GameyeMatchBridge`: the whole bridge as one L3 construct. A studio drops it into its own
 * CDK app; `lib/bridge-stack.ts` is this project's own use of it.
 *
 * Resources are built from the shared plain-data definitions (`lambdas/shared/resources.ts`,
 * `lambdas/shared/sessions-table.ts`) that the local stack maps too, so what `npm start`
 * runs against and what `cdk deploy` creates cannot drift apart.
 *
 * This file wires the resources together. Beside it: the props and their defaults
 * (`bridge-props.ts`), defaults applied and props checked (`bridge-settings.ts`, with the
 * archive lifecycle in `archive-lifecycle.ts`), how a function is bundled
 * (`function-bundling.ts`) and what each function may do (`bridge-permissions.ts`).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeConfig } from '../lambdas/core/config.ts';
import { BRIDGE_RESOURCES, FUNCTION_ENV } from '../lambdas/shared/resources.ts';
import { BridgeAlarms } from './alarms.ts';
import { grantBridgePermissions, logicalIdOf } from './bridge-permissions.ts';
import type { GameyeMatchBridgeProps } from './bridge-props.ts';
import { type BridgeSettings, resolveSettings } from './bridge-settings.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from './bundle-options.ts';
import { BridgeDashboard } from './dashboard.ts';
import { FlexMatchEvents } from './flexmatch-events.ts';
import { functionCode } from './function-bundling.ts';

export type {
  FlexMatchConfigurationProps,
  FlexMatchProps,
  GameyeMatchBridgeProps,
  QueueEncryptionMode,
} from './bridge-props.ts';

const PINNED_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

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
  /** The FlexMatch rule and its dead-letter queue, when the `flexMatch` prop is set. */
  public readonly flexMatchEvents: FlexMatchEvents | undefined;
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
      removalPolicy: settings.removalPolicy,
      retentionPeriod: Duration.seconds(BRIDGE_RESOURCES.deadLetterQueue.retentionSeconds),
    });
    this.matchesQueue = new sqs.Queue(this, 'MatchesQueue', {
      ...queueEncryption,
      enforceSSL: true,
      removalPolicy: settings.removalPolicy,
      visibilityTimeout: settings.visibilityTimeout,
      retentionPeriod: Duration.seconds(BRIDGE_RESOURCES.matchesQueue.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    this.flexMatchEvents = settings.flexMatch
      ? new FlexMatchEvents(this, 'FlexMatch', {
          flexMatch: settings.flexMatch,
          matchesQueue: this.matchesQueue,
          queueKey: settings.queueEncryption === 'kms' ? this.encryptionKey : undefined,
          removalPolicy: settings.removalPolicy,
        })
      : undefined;

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
        // Where it spaces retries out (ChangeMessageVisibility, which the event source grants).
        [FUNCTION_ENV.matchesQueueUrl]: this.matchesQueue.queueUrl,
        [FUNCTION_ENV.maxReceiveCount]: String(settings.maxReceiveCount),
      },
    });
    this.reaperLogGroup = this.logGroup('ReaperLogGroup', settings);
    this.reaperFunction = this.bridgeFunction('Reaper', {
      entry: FUNCTION_ENTRIES.reaper,
      description: 'Gameye match bridge: stops idle and orphaned sessions, archives artifacts',
      timeout: settings.reaperTimeout,
      memorySize: settings.reaperMemorySize,
      logGroup: this.reaperLogGroup,
      // One run at a time: an overlapping scheduled invocation is throttled and, with no
      // asynchronous retries, dropped; the next scheduled run does the same work.
      reservedConcurrentExecutions: 1,
      asyncInvoke: { retryAttempts: 0, maxEventAge: Duration.minutes(1) },
      environment: {
        ...common,
        [FUNCTION_ENV.archiveBucketName]: this.archiveBucket.bucketName,
        [FUNCTION_ENV.reaperRateMinutes]: String(settings.reaperRate.toMinutes()),
      },
    });

    this.placementEventSource = new SqsEventSource(this.matchesQueue, {
      batchSize: BRIDGE_RESOURCES.matchesQueue.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: settings.placementMaxConcurrency,
    });
    this.placementFunction.addEventSource(this.placementEventSource);

    grantBridgePermissions(this, { flexMatch: settings.flexMatch !== undefined });

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
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.reaperFunction)}.Arn>:*]`,
        reason:
          'LambdaInvoke grants the function and its versions (ARN:*); the schedule invokes $LATEST only.',
      });
    }

    this.alarms = new BridgeAlarms(this, 'Alarms', {
      bridge: this,
      encryptionKey: this.encryptionKey,
      reaperRate: settings.reaperRate,
      reaperMemorySize: settings.reaperMemorySize,
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

  private logGroup(id: string, settings: BridgeSettings): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
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
      ...functionCode(options.entry),
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
    });
  }
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
