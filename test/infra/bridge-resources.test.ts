import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_RESOURCES, FUNCTION_ENV } from '../../lambdas/shared/resources.ts';
import { SESSIONS_TABLE } from '../../lambdas/shared/sessions-table.ts';
import type { BridgeStack } from '../../lib/bridge-stack.ts';
import { exampleConfig, logicalId, onlyResource, synthConstruct, synthStack } from './synth.ts';

let template: Template;
let stack: BridgeStack;
let ids: Record<'matches' | 'dlq' | 'placement' | 'reaper' | 'table' | 'topic' | 'bucket' | 'secret', string>;

beforeAll(() => {
  const synth = synthStack();
  template = synth.template;
  stack = synth.stack;
  const b = synth.bridge;
  ids = {
    matches: logicalId(stack, b.matchesQueue),
    dlq: logicalId(stack, b.deadLetterQueue),
    placement: logicalId(stack, b.placementFunction),
    reaper: logicalId(stack, b.reaperFunction),
    table: logicalId(stack, b.sessionsTable),
    topic: logicalId(stack, b.sessionEventsTopic),
    bucket: logicalId(stack, b.archiveBucket),
    secret: logicalId(stack, b.gameyeTokenSecret),
  };
});

function functionProps(id: string): Record<string, unknown> {
  const resource = template.findResources('AWS::Lambda::Function')[id] as {
    Properties: Record<string, unknown>;
  };
  return resource.Properties;
}

describe('matches queue and DLQ', () => {
  it('redrives to the DLQ after the configured receives, with a visibility timeout of 6 × the placement timeout', () => {
    const placementTimeout = functionProps(ids.placement).Timeout as number;
    template.hasResource('AWS::SQS::Queue', {
      Properties: {
        VisibilityTimeout: placementTimeout * 6,
        MessageRetentionPeriod: BRIDGE_RESOURCES.matchesQueue.retentionSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
          maxReceiveCount: BRIDGE_RESOURCES.matchesQueue.maxReceiveCount,
        },
      },
    });
    expect(placementTimeout * 6).toBeGreaterThanOrEqual(
      BRIDGE_RESOURCES.matchesQueue.visibilityTimeoutSeconds,
    );
  });

  it('encrypts the DLQ and keeps its messages for the defined retention', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: BRIDGE_RESOURCES.deadLetterQueue.retentionSeconds,
      RedrivePolicy: Match.absent(),
    });
  });

  it.each(['matches', 'dlq'] as const)('denies non-TLS access to the %s queue', (queue) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids[queue] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('placement function', () => {
  it('runs Node.js 24 on arm64 with its own log group', () => {
    expect(functionProps(ids.placement)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 30,
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
  });

  it('consumes the matches queue with partial batch responses, the defined batch size and a concurrency cap', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ids.matches, 'Arn'] },
      FunctionName: { Ref: ids.placement },
      BatchSize: BRIDGE_RESOURCES.matchesQueue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('receives the table, topic, both queues, Gameye settings, config and Powertools settings in its environment, and no archive bucket', () => {
    const env = (functionProps(ids.placement).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        FUNCTION_ENV.tableName,
        FUNCTION_ENV.topicArn,
        FUNCTION_ENV.deadLetterQueueUrl,
        FUNCTION_ENV.matchesQueueUrl,
        FUNCTION_ENV.maxReceiveCount,
        FUNCTION_ENV.gameyeBaseUrl,
        FUNCTION_ENV.gameyeTokenSecretArn,
        FUNCTION_ENV.bridgeConfig,
        FUNCTION_ENV.powertoolsServiceName,
        FUNCTION_ENV.powertoolsMetricsNamespace,
      ].sort(),
    );
    expect(env).toMatchObject({
      [FUNCTION_ENV.tableName]: { Ref: ids.table },
      [FUNCTION_ENV.topicArn]: { Ref: ids.topic },
      [FUNCTION_ENV.deadLetterQueueUrl]: { Ref: ids.dlq },
      [FUNCTION_ENV.matchesQueueUrl]: { Ref: ids.matches },
      [FUNCTION_ENV.maxReceiveCount]: '5',
      [FUNCTION_ENV.gameyeTokenSecretArn]: { Ref: ids.secret },
      [FUNCTION_ENV.gameyeBaseUrl]: 'https://api.production-gameye.gameye.net',
      [FUNCTION_ENV.powertoolsServiceName]: 'gameye-match-bridge',
      [FUNCTION_ENV.powertoolsMetricsNamespace]: 'GameyeMatchBridge',
    });
  });

  it('maps stack traces through the source maps on both functions only when asked', () => {
    const nodeOptionsOf = (t: Template) =>
      (
        Object.values(t.findResources('AWS::Lambda::Function')) as {
          Properties: { Environment: { Variables: Record<string, unknown> } };
        }[]
      ).map((fn) => fn.Properties.Environment.Variables[FUNCTION_ENV.nodeOptions]);
    expect(nodeOptionsOf(template)).toEqual([undefined, undefined]);
    expect(nodeOptionsOf(synthConstruct({ sourceMapsAtRuntime: true }).template)).toEqual([
      '--enable-source-maps',
      '--enable-source-maps',
    ]);
  });

  it('receives the runtime config validated, with its defaults applied', () => {
    const env = (functionProps(ids.placement).Environment as { Variables: Record<string, string> }).Variables;
    const config: unknown = JSON.parse(env[FUNCTION_ENV.bridgeConfig] ?? 'null');
    expect(config).toMatchObject({ ...exampleConfig(), activeShards: 8 });
  });
});

describe('reaper function', () => {
  it('is not retried by Lambda when a scheduled run is throttled or fails: the next run does the work', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.reaper },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it('never runs twice at once', () => {
    expect(functionProps(ids.reaper)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Timeout: 60,
    });
  });

  it('receives the bucket and its schedule but not the DLQ in its environment', () => {
    const env = (functionProps(ids.reaper).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[FUNCTION_ENV.archiveBucketName]).toEqual({ Ref: ids.bucket });
    expect(env[FUNCTION_ENV.reaperRateMinutes]).toBe('1');
    expect(env).not.toHaveProperty(FUNCTION_ENV.deadLetterQueueUrl);
  });

  it('tells the reaper a slower schedule, so its rotations move one window a run', () => {
    const slow = synthStack({ bridge: { reaperRate: Duration.minutes(5) } });
    const functions = slow.template.findResources('AWS::Lambda::Function');
    const reaper = functions[logicalId(slow.stack, slow.bridge.reaperFunction)] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(reaper.Properties.Environment.Variables[FUNCTION_ENV.reaperRateMinutes]).toBe('5');
  });

  it('runs on an EventBridge Scheduler schedule every minute, without retries', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [ids.reaper, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
  });
});

describe('no token in any environment', () => {
  it('passes the secret ARN, never a secret value', () => {
    const json = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    expect(json).not.toMatch(/resolve:secretsmanager/);
    expect(json).not.toMatch(/GAMEYE_TOKEN"/);
  });
});

describe('log groups', () => {
  it('keep function logs for a month', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('sessions table', () => {
  it('is built from SESSIONS_TABLE: key, TTL and the active-sessions index', () => {
    const table = onlyResource(template, 'AWS::DynamoDB::Table');
    expect(table.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: SESSIONS_TABLE.partitionKey.name, KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: SESSIONS_TABLE.ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        {
          IndexName: SESSIONS_TABLE.activeIndex.name,
          KeySchema: [
            { AttributeName: SESSIONS_TABLE.activeIndex.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: SESSIONS_TABLE.activeIndex.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(table.properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: SESSIONS_TABLE.partitionKey.name, AttributeType: SESSIONS_TABLE.partitionKey.type },
        {
          AttributeName: SESSIONS_TABLE.activeIndex.sortKey.name,
          AttributeType: SESSIONS_TABLE.activeIndex.sortKey.type,
        },
      ]),
    );
  });

  it('is retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('archive bucket', () => {
  it('blocks public access, encrypts, logs access to a separate bucket and ages artifacts out', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.anyValue() }, LogFilePrefix: 'archive/' },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              ExpirationInDays: 365,
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
                { StorageClass: 'GLACIER', TransitionInDays: 90 },
              ],
            }),
          ],
        },
      },
    });
  });

  it('denies non-TLS requests', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('session-events topic', () => {
  it('is encrypted with the customer-managed key and TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: BRIDGE_RESOURCES.sessionEventsTopic.name,
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('Gameye token secret', () => {
  it('is created empty: no value until the operator sets one', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.absent(),
      SecretString: Match.absent(),
    });
  });

  it('imported with a customer-managed key, lets both functions decrypt with it', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template: t } = synthConstruct({
      gameyeTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf',
      gameyeTokenSecretKeyArn: keyArn,
    });
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).map((p) =>
      JSON.stringify((p as { Properties: unknown }).Properties),
    );
    const decrypting = policies.filter((p) => p.includes('kms:Decrypt') && p.includes(keyArn));
    expect(decrypting).toHaveLength(2);
  });
});

describe('stack outputs', () => {
  it('give an operator every name and address the CLI needs', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ArchiveBucketName',
        'DashboardUrl',
        'DeadLetterQueueArn',
        'DeadLetterQueueUrl',
        'EncryptionKeyArn',
        'PlacementLogGroupName',
        'ReaperLogGroupName',
        'ReaperScheduleName',
        'GameyeBaseUrl',
        'GameyeTokenSecretArn',
        'MatchesQueueArn',
        'MatchesQueueUrl',
        'PlacementFunctionName',
        'ReaperFunctionName',
        'SessionEventsTopicArn',
        'SessionsTableName',
      ].sort(),
    );
    template.hasOutput('MatchesQueueUrl', { Value: { Ref: ids.matches } });
    template.hasOutput('SessionsTableName', { Value: { Ref: ids.table } });
    template.hasOutput('GameyeBaseUrl', { Value: 'https://api.production-gameye.gameye.net' });
  });
});
