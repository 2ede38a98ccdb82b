import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_TABLE } from '../../lambdas/shared/sessions-table.ts';
import {
  type LocalAws,
  type LocalResources,
  provisionLocalResources,
  startLocalAws,
} from '../../lib/local/local-aws.ts';

describe('local AWS stack', () => {
  let aws: LocalAws;
  let res: LocalResources;
  beforeAll(async () => {
    aws = await startLocalAws();
    res = await provisionLocalResources(aws.clients);
  });
  afterAll(async () => aws?.close());

  it('provisions idempotently, so a restarted stack reuses its resources', async () => {
    const again = await provisionLocalResources(aws.clients);
    expect(again).toEqual(res);
  });

  it('keeps only items carrying the shard attribute in the sparse active-sessions index', async () => {
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
    await aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: res.matchesQueueUrl, MessageBody: 'poison' }),
    );
    // Receive it repeatedly with a zero visibility timeout until SQS gives up on it.
    for (let i = 0; i < 6; i++) {
      await aws.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: res.matchesQueueUrl,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
    }
    const dlq = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: res.deadLetterQueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(dlq.Messages?.[0]?.Body).toBe('poison');
  });

  it('delivers session events to the subscribed backend queue with the type attribute', async () => {
    await aws.clients.sns.send(
      new PublishCommand({
        TopicArn: res.topicArn,
        Message: '{"hello":1}',
        MessageAttributes: { type: { DataType: 'String', StringValue: 'SessionReady' } },
      }),
    );
    const got = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: res.backendQueueUrl, WaitTimeSeconds: 2 }),
    );
    const envelope = JSON.parse(got.Messages?.[0]?.Body ?? '{}') as {
      Message?: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    expect(envelope.Message).toBe('{"hello":1}');
    expect(envelope.MessageAttributes?.type?.Value).toBe('SessionReady');
  });
});
