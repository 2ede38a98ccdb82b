/** Shared helpers of the integration tests: sending, draining and reading local services. */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SessionEvent } from '../../lambdas/core/events.ts';
import { SessionRecord } from '../../lambdas/core/session-record.ts';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';

/** The simulation's seeded PRNG: reproducible worlds in tests too. */
export { seededRandom as seeded } from '../../tools/local/sim/world.ts';

export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
    if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
  }
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Wait until the matches queue holds nothing, visible or in flight (bounded). */
export async function waitForDrain(bridge: LocalBridge, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let emptyPolls = 0;
  while (Date.now() < until) {
    const n = await depth(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl);
    emptyPolls = n === 0 ? emptyPolls + 1 : 0;
    if (emptyPolls >= 2) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('matches queue did not drain in time');
}

/** Receive and delete everything in a queue. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const got = out.Messages ?? [];
    if (got.length === 0) {
      empty++;
      continue;
    }
    all.push(...got);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return all;
}

/** Session events the game backend's queue received (SNS envelopes unwrapped and validated). */
export async function backendEvents(bridge: LocalBridge): Promise<SessionEvent[]> {
  const messages = await drainQueue(bridge.aws.clients.sqs, bridge.resources.backendQueueUrl);
  return messages.map((m) => {
    const envelope = JSON.parse(m.Body ?? '{}') as {
      Message: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    const event = SessionEvent.parse(JSON.parse(envelope.Message));
    if (envelope.MessageAttributes?.type?.Value !== event.type)
      throw new Error('type attribute does not match the body');
    return event;
  });
}

export async function allRecords(bridge: LocalBridge): Promise<SessionRecord[]> {
  const records: SessionRecord[] = [];
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const out = await bridge.aws.clients.dynamodb.send(
      new ScanCommand({ TableName: bridge.resources.tableName, ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? []) records.push(SessionRecord.parse(unmarshall(item)));
    start = out.LastEvaluatedKey;
  } while (start);
  return records;
}

/** Emulator sessions per match id (from the bridge's `bridge-match-id` label). */
export function sessionsByMatch(bridge: LocalBridge): Map<string, string[]> {
  const byMatch = new Map<string, string[]>();
  for (const s of bridge.emulator.admin.sessions()) {
    const matchId = s.labels['bridge-match-id'];
    if (matchId === undefined) continue;
    byMatch.set(matchId, [...(byMatch.get(matchId) ?? []), s.id]);
  }
  return byMatch;
}
