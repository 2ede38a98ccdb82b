import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { BRIDGE_RESOURCES } from '../../lambdas/shared/resources.ts';
import { SESSIONS_TABLE } from '../../lambdas/shared/sessions-table.ts';
import { provisionLocalResources, startLocalAws } from '../../tools/local/local-aws.ts';
import { useLocalAws } from '../support/local-aws.ts';

/**
 * A receive waits for the expected message, returning the moment it is there: SQS's longest
 * long poll, so a busy machine delays the test rather than failing it.
 */
const LONG_POLL_SECONDS = 20;

describe('local AWS stack', () => {
  const local = useLocalAws();

  it('provisions idempotently, so a restarted stack reuses its resources', async () => {
    const again = await provisionLocalResources(local.aws.clients);
    expect(again).toEqual(local.resources);
  });

  it('keeps only items carrying the shard attribute in the sparse active-sessions index', async () => {
    const { aws, resources: res } = local;
    const idx = SESSIONS_TABLE.activeIndex;
    await aws.clients.dynamodb.send(
      new PutItemCommand({
        TableName: res.tableName,
        Item: {
          matchId: { S: 'active-1' },
          activeShard: { S: 'active#3' },
          createdAt: { S: '2026-01-01T00:00:00.000Z' },
        },
      }),
    );
    await aws.clients.dynamodb.send(
      new PutItemCommand({ TableName: res.tableName, Item: { matchId: { S: 'ended-1' } } }),
    );
    const out = await aws.clients.dynamodb.send(
      new QueryCommand({
        TableName: res.tableName,
        IndexName: idx.name,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': idx.partitionKey.name },
        ExpressionAttributeValues: { ':s': { S: 'active#3' } },
      }),
    );
    expect(out.Items?.map((i) => i.matchId?.S)).toEqual(['active-1']);
  });

  it('redrives a message to the DLQ after maxReceiveCount receives', async () => {
    const { aws, resources: res } = local;
    await aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: res.matchesQueueUrl, MessageBody: 'poison' }),
    );
    // Receive it repeatedly with a zero visibility timeout until SQS gives up on it.
    for (let i = 0; i <= BRIDGE_RESOURCES.matchesQueue.maxReceiveCount; i++) {
      await aws.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: res.matchesQueueUrl,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
    }
    const dlq = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: res.deadLetterQueueUrl, WaitTimeSeconds: LONG_POLL_SECONDS }),
    );
    expect(dlq.Messages?.[0]?.Body).toBe('poison');
  });

  it('delivers session events to the subscribed backend queue with the type attribute', async () => {
    const { aws, resources: res } = local;
    await aws.clients.sns.send(
      new PublishCommand({
        TopicArn: res.topicArn,
        Message: '{"hello":1}',
        MessageAttributes: { type: { DataType: 'String', StringValue: 'SessionReady' } },
      }),
    );
    const got = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: res.backendQueueUrl, WaitTimeSeconds: LONG_POLL_SECONDS }),
    );
    const envelope = JSON.parse(got.Messages?.[0]?.Body ?? '{}') as {
      Message?: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    expect(envelope.Message).toBe('{"hello":1}');
    expect(envelope.MessageAttributes?.type?.Value).toBe('SessionReady');
  });
});

describe('local AWS stack with a data folder', () => {
  it('keeps records, messages and archived objects across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bridge-local-'));
    try {
      const first = await startLocalAws({ dataDir });
      const res = await provisionLocalResources(first.clients);
      await first.clients.dynamodb.send(
        new PutItemCommand({ TableName: res.tableName, Item: { matchId: { S: 'kept' } } }),
      );
      await first.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: res.matchesQueueUrl, MessageBody: 'still here' }),
      );
      await first.clients.s3.send(
        new PutObjectCommand({ Bucket: res.bucket, Key: 'a/b.txt', Body: 'archived' }),
      );
      await first.close();

      const second = await startLocalAws({ dataDir });
      try {
        const again = await provisionLocalResources(second.clients);
        const item = await second.clients.dynamodb.send(
          new GetItemCommand({ TableName: again.tableName, Key: { matchId: { S: 'kept' } } }),
        );
        expect(item.Item?.matchId?.S).toBe('kept');
        const got = await second.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: again.matchesQueueUrl, WaitTimeSeconds: LONG_POLL_SECONDS }),
        );
        expect(got.Messages?.[0]?.Body).toBe('still here');
        const object = await second.clients.s3.send(
          new GetObjectCommand({ Bucket: again.bucket, Key: 'a/b.txt' }),
        );
        expect(await object.Body?.transformToString()).toBe('archived');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
