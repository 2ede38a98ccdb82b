/**
 * Local AWS: DynamoDB (dynalite) and SQS/SNS/S3 (fauxqs), both in-process on loopback,
 * provisioned through the ordinary AWS SDK calls from the same definitions the CDK stack
 * uses. Integration tests and `npm start` both stand on this.
 */
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { BRIDGE_RESOURCES } from '../../lambdas/shared/resources.ts';
import { LOCAL_NAMES } from './local-names.ts';

/** Local services never check credentials, but the SDK insists on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

export interface LocalAwsEndpoints {
  dynamodb: string;
  /** SQS, SNS and S3 share one fauxqs endpoint. */
  messaging: string;
}

export interface LocalAws {
  endpoints: LocalAwsEndpoints;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient; s3: S3Client };
  close(): Promise<void>;
}

export interface StartLocalAwsOptions {
  /**
   * Folder that keeps the services' state across restarts: `dynamodb/` (dynalite's LevelDB),
   * `messaging/` (fauxqs's SQLite: queues, messages, topics) and `s3/` (archived objects as
   * plain files, to open and inspect). Everything in memory when absent.
   */
  dataDir?: string;
  dynamoPort?: number;
  messagingPort?: number;
  host?: string;
}

/** Start dynalite and fauxqs on loopback and return SDK clients pointed at them. */
export async function startLocalAws(options: StartLocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) {
    for (const dir of ['dynamodb', 'messaging', 's3'])
      mkdirSync(join(options.dataDir, dir), { recursive: true });
  }
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
  });
  dynamo.listen(options.dynamoPort ?? 0, host);
  await once(dynamo, 'listening');
  const dynamoUrl = `http://${host}:${(dynamo.address() as AddressInfo).port}`;

  const fauxqs = await startFauxqs({
    port: options.messagingPort ?? 0,
    host,
    logger: false,
    ...(options.dataDir
      ? { dataDir: join(options.dataDir, 'messaging'), s3StorageDir: join(options.dataDir, 's3') }
      : {}),
  });
  const endpoints: LocalAwsEndpoints = { dynamodb: dynamoUrl, messaging: fauxqs.address };
  const clients = localClients(endpoints);

  return {
    endpoints,
    clients,
    async close() {
      for (const c of Object.values(clients)) c.destroy();
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

/** SDK clients for the local endpoints (S3 path-style: no wildcard DNS on loopback). */
export function localClients(endpoints: LocalAwsEndpoints): LocalAws['clients'] {
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } as const;
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb }),
    sqs: new SQSClient({ ...base, endpoint: endpoints.messaging }),
    sns: new SNSClient({ ...base, endpoint: endpoints.messaging }),
    s3: new S3Client({ ...base, endpoint: endpoints.messaging, forcePathStyle: true }),
  };
}

/** Names and addresses of the provisioned local resources. */
export interface LocalResources {
  tableName: string;
  matchesQueueUrl: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  topicArn: string;
  backendQueueUrl: string;
  bucket: string;
}

/**
 * Create the sessions table with its sparse active-sessions index, as the stack defines it
 * (`BRIDGE_RESOURCES.sessionsTable`). Idempotent: an existing table is kept as it is.
 */
export async function createSessionsTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const t = BRIDGE_RESOURCES.sessionsTable;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: t.partitionKey.name, AttributeType: t.partitionKey.type },
          { AttributeName: t.activeIndex.partitionKey.name, AttributeType: t.activeIndex.partitionKey.type },
          { AttributeName: t.activeIndex.sortKey.name, AttributeType: t.activeIndex.sortKey.type },
        ],
        KeySchema: [{ AttributeName: t.partitionKey.name, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: t.activeIndex.name,
            KeySchema: [
              { AttributeName: t.activeIndex.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: t.activeIndex.sortKey.name, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
}

/**
 * Create the table, the matches queue with its redrive to the DLQ, the session-events topic
 * with a raw-delivery subscription for the local game backend, and the archive bucket.
 * Idempotent, so a restarted `npm start -- --serve` reuses what its data folder holds.
 */
export async function provisionLocalResources(
  clients: LocalAws['clients'],
  names: typeof LOCAL_NAMES = LOCAL_NAMES,
): Promise<LocalResources> {
  await createSessionsTable(clients.dynamodb, names.table);

  const q = BRIDGE_RESOURCES.matchesQueue;
  const dlq = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: names.deadLetterQueue,
      Attributes: { MessageRetentionPeriod: String(BRIDGE_RESOURCES.deadLetterQueue.retentionSeconds) },
    }),
  );
  const deadLetterQueueUrl = required(dlq.QueueUrl, 'DLQ url');
  const dlqAttrs = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const deadLetterQueueArn = required(dlqAttrs.Attributes?.QueueArn, 'DLQ arn');
  const matches = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: names.matchesQueue,
      Attributes: {
        VisibilityTimeout: String(q.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(q.retentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueueArn,
          maxReceiveCount: q.maxReceiveCount,
        }),
      },
    }),
  );

  const topic = await clients.sns.send(new CreateTopicCommand({ Name: names.topic }));
  const topicArn = required(topic.TopicArn, 'topic arn');
  const backend = await clients.sqs.send(new CreateQueueCommand({ QueueName: names.backendQueue }));
  const backendQueueUrl = required(backend.QueueUrl, 'backend queue url');
  const backendAttrs = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: backendQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: required(backendAttrs.Attributes?.QueueArn, 'backend queue arn'),
      Attributes: { RawMessageDelivery: 'false' },
    }),
  );

  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  } catch (err) {
    if (!(err instanceof Error && /BucketAlready(OwnedByYou|Exists)/.test(err.name))) throw err;
  }

  return {
    tableName: names.table,
    matchesQueueUrl: required(matches.QueueUrl, 'matches queue url'),
    deadLetterQueueUrl,
    deadLetterQueueArn,
    topicArn,
    backendQueueUrl,
    bucket: names.bucket,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`local stack: AWS answered without ${what}`);
  return value;
}
