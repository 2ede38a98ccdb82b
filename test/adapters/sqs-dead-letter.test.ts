import { type MessageAttributeValue, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES, SqsDeadLetterQueue } from '../../lambdas/adapters/sqs-dead-letter.ts';

/** A real SQS client whose requests stop at its first middleware: recorded, never sent. */
function recordingSqs(): { client: SQSClient; sent: SendMessageCommandInput[] } {
  const client = new SQSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });
  const sent: SendMessageCommandInput[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      sent.push(args.input as SendMessageCommandInput);
      return { output: { $metadata: {}, MessageId: `m-${sent.length}` }, response: {} };
    },
    { step: 'initialize', name: 'recordSend' },
  );
  return { client, sent };
}

const str = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const NOW = Date.parse('2030-01-01T00:00:00.000Z');

async function park(attributes: Record<string, MessageAttributeValue>, matchId?: string) {
  const { client, sent } = recordingSqs();
  const dlq = new SqsDeadLetterQueue({ client, queueUrl: 'https://sqs.local/dlq', now: () => NOW });
  await dlq.park({
    body: '{"matchId":"m-1"}',
    sourceMessageId: 'src-1',
    reason: 'invalid-event',
    message: 'players: expected at least 1 player',
    matchId,
    attributes,
  });
  return sent[0]?.MessageAttributes ?? {};
}

describe('SqsDeadLetterQueue', () => {
  it('drops every bridge-* attribute the matchmaker set, so none can be forged', async () => {
    // No match id could be salvaged: the forged one would otherwise survive untouched.
    const parked = await park({
      'bridge-match-id': str('someone-elses-match'),
      'bridge-failure-reason': str('retries-exhausted'),
      'Bridge-Gameye-Identifier': str('forged'),
      'bridge-anything-else': str('x'),
    });

    expect(parked).toEqual({
      [DLQ_ATTRIBUTES.reason]: str('invalid-event'),
      [DLQ_ATTRIBUTES.message]: str('players: expected at least 1 player'),
      [DLQ_ATTRIBUTES.sourceMessageId]: str('src-1'),
      [DLQ_ATTRIBUTES.failedAt]: str('2030-01-01T00:00:00.000Z'),
    });
  });

  it('keeps the matchmaker’s other attributes where room remains, beside its own', async () => {
    const theirs = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`trace-${i}`, str(`t${i}`)]));

    const parked = await park({ 'bridge-match-id': str('forged'), ...theirs }, 'm-1');

    expect(parked[DLQ_ATTRIBUTES.matchId]).toEqual(str('m-1'));
    expect(Object.keys(parked)).toHaveLength(10);
    expect(parked['trace-0']).toEqual(str('t0'));
    expect(parked['trace-4']).toEqual(str('t4'));
    expect(parked['trace-5']).toBeUndefined();
  });

  it('cuts a long failure message and Gameye identifier', async () => {
    const { client, sent } = recordingSqs();
    const dlq = new SqsDeadLetterQueue({ client, queueUrl: 'https://sqs.local/dlq', now: () => NOW });

    await dlq.park({
      body: '{}',
      sourceMessageId: 'src-1',
      reason: 'rejected-by-gameye',
      message: 'm'.repeat(100_000),
      identifier: 'i'.repeat(100_000),
    });

    const attributes = sent[0]?.MessageAttributes ?? {};
    expect(attributes[DLQ_ATTRIBUTES.message]?.StringValue).toHaveLength(2_000);
    expect(attributes[DLQ_ATTRIBUTES.message]?.StringValue?.endsWith('…')).toBe(true);
    expect(attributes[DLQ_ATTRIBUTES.identifier]?.StringValue).toHaveLength(256);
  });
});
