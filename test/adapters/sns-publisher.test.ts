import { type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import {
  EventTooLargeError,
  SNS_MAX_MESSAGE_BYTES,
  SnsEventPublisher,
} from '../../lambdas/adapters/sns-publisher.ts';
import type { SessionReadyV1 } from '../../lambdas/core/events.ts';

/** A real SNS client whose requests stop at its first middleware: recorded, never sent. */
function recordingSns(): { client: SNSClient; sent: PublishCommandInput[] } {
  const client = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });
  const sent: PublishCommandInput[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      sent.push(args.input as PublishCommandInput);
      return { output: { $metadata: {}, MessageId: `m-${sent.length}` }, response: {} };
    },
    { step: 'initialize', name: 'recordPublish' },
  );
  return { client, sent };
}

function aSessionReady(host = 'host-1.gameye.example'): SessionReadyV1 {
  return {
    type: 'SessionReady',
    version: 1,
    matchId: 'm-1',
    sessionId: '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    profile: 'arena',
    region: 'eu-west',
    host,
    ports: { '7777/udp': 24011 },
    portList: [{ container: 7777, protocol: 'udp', host: 24011 }],
    players: [{ id: 'alice' }],
    ranking: {
      policy: 'preference',
      candidates: [],
      candidateCount: 0,
      chosenRank: null,
      dropped: [],
      droppedCounts: {},
    },
    via: 'started',
    claimedAt: '2030-01-01T00:00:00.000Z',
    readyAt: '2030-01-01T00:00:01.000Z',
  };
}

describe('SnsEventPublisher', () => {
  it('publishes the event as JSON with its type and session id as message attributes', async () => {
    const { client, sent } = recordingSns();
    const publisher = new SnsEventPublisher({
      client,
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:events',
    });

    await publisher.publish(aSessionReady());

    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.Message ?? '')).toMatchObject({ type: 'SessionReady', matchId: 'm-1' });
    expect(sent[0]?.MessageAttributes).toEqual({
      type: { DataType: 'String', StringValue: 'SessionReady' },
      sessionId: { DataType: 'String', StringValue: '2ed6657d-e927-568b-95e1-2665a8aea6a2' },
    });
  });

  it('refuses an event over SNS’s 256 KiB, naming the event, the match and the sizes, and sends nothing', async () => {
    const { client, sent } = recordingSns();
    const publisher = new SnsEventPublisher({
      client,
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:events',
    });

    const refusal = publisher.publish(aSessionReady('h'.repeat(SNS_MAX_MESSAGE_BYTES)));

    await expect(refusal).rejects.toThrow(EventTooLargeError);
    await expect(refusal).rejects.toMatchObject({
      name: 'EventTooLargeError',
      type: 'SessionReady',
      matchId: 'm-1',
      message: expect.stringMatching(
        /^SessionReady for match m-1 .* is \d+ bytes, over SNS's limit of 262144/,
      ),
    });
    expect(sent).toEqual([]);
  });
});
