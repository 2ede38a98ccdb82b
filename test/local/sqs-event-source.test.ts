/**
 * The local stand-in for Lambda's SQS event source, on fauxqs: what tests wait on to know the
 * matches queue has drained, with no timer of their own.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SqsRedelivery } from '../../lambdas/adapters/sqs-redelivery.ts';
import { SqsEventSource } from '../../tools/local/sqs-event-source.ts';
import { sendBodies, waitForDrain } from '../integration/helpers.ts';
import { useLocalAws } from '../support/local-aws.ts';

describe('the local SQS event source', () => {
  const local = useLocalAws();

  function source(handler: (event: SQSEvent) => Promise<SQSBatchResponse>): SqsEventSource {
    return new SqsEventSource({
      sqs: local.aws.clients.sqs,
      queueUrl: local.resources.matchesQueueUrl,
      handler,
      batchSize: 10,
      functionTimeoutMs: 30_000,
    });
  }

  it('tells when a poll finds the queue empty', async () => {
    const events = source(async () => ({ batchItemFailures: [] }));
    events.start();
    try {
      await expect(events.nextEmptyPoll()).resolves.toBeUndefined();
    } finally {
      await events.stop();
    }
  });

  it('stops waiting for an empty poll when the signal aborts', async () => {
    const events = source(async () => ({ batchItemFailures: [] }));

    await expect(events.nextEmptyPoll(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('counts as drained only when every message is handled, a failed one back when its visibility ends', async () => {
    const handled: string[] = [];
    // As the placement handler does, the failed message is given its own wait (2 s, longer than
    // one poll): the event source leaves it to SQS, which brings it back when that wait ends
    // (not after the queue's 180 s visibility timeout), and the queue polls empty meanwhile.
    const redelivery = new SqsRedelivery({
      client: local.aws.clients.sqs,
      queueUrl: local.resources.matchesQueueUrl,
    });
    const events = source(async (event) => {
      handled.push(...event.Records.map((r) => r.body));
      const first = event.Records.find(
        (r) => r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1',
      );
      if (!first) return { batchItemFailures: [] };
      await redelivery.delay([{ receiptHandle: first.receiptHandle, delaySeconds: 2 }]);
      return { batchItemFailures: [{ itemIdentifier: first.messageId }] };
    });
    await sendBodies(local.aws.clients.sqs, local.resources.matchesQueueUrl, ['a', 'flaky', 'b']);
    events.start();
    try {
      await waitForDrain({ aws: local.aws, resources: local.resources, eventSource: events });
    } finally {
      await events.stop();
    }

    expect(handled.sort()).toEqual(['a', 'b', 'flaky', 'flaky']);
  });
});
