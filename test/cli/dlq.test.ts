/**
 * `bridge dlq` and `bridge dlq redrive` against a local stack whose placement function is not
 * polling, so the queues hold exactly what the test put there.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { type CliStack, matchFound, queueDepth, startCliStack } from './support.ts';

let stack: CliStack;

interface DlqDoc {
  count: number;
  messages: { matchId?: string; reason: string; message?: string; body: string }[];
}

function depth(queueUrl: string): Promise<number> {
  return queueDepth(stack.bridge.aws.clients.sqs, queueUrl);
}

beforeAll(async () => {
  stack = await startCliStack({ startEventSource: false });
  const { sqs } = stack.bridge.aws.clients;
  // Parked by the placement function with its reason (the real adapter).
  await new SqsDeadLetterQueue({ client: sqs, queueUrl: stack.bridge.resources.deadLetterQueueUrl }).park({
    body: JSON.stringify(matchFound('dlq-1', { profile: 'gone-profile' })),
    sourceMessageId: 'src-1',
    reason: 'unknown-profile',
    message: 'no profile gone-profile in the bridge config',
    matchId: 'dlq-1',
  });
  // Moved by SQS itself after maxReceiveCount: no reason attributes.
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.bridge.resources.deadLetterQueueUrl,
      MessageBody: JSON.stringify(matchFound('dlq-2')),
    }),
  );
});

afterAll(async () => {
  await stack?.close();
});

describe('bridge dlq', () => {
  it('lists the messages with their reasons as a table', async () => {
    const r = await stack.run(['dlq']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dlq-1\s*│\s*unknown-profile\s*│\s*no profile gone-profile/);
    expect(r.stdout).toMatch(/dlq-2\s*│\s*max-receives/);
    expect(r.stdout).toContain('2 message(s)');
  });

  it('deletes nothing: a second look sees the same messages at once', async () => {
    const first = JSON.parse((await stack.run(['dlq', '--json'])).stdout) as DlqDoc;
    const second = JSON.parse((await stack.run(['dlq', '--json'])).stdout) as DlqDoc;
    expect(first.count).toBe(2);
    expect(second.count).toBe(2);
    expect(second.messages.map((m) => m.matchId).sort()).toEqual(['dlq-1', 'dlq-2']);
    expect(await depth(stack.bridge.resources.deadLetterQueueUrl)).toBe(2);
  });

  it('refuses a bad --max with exit 2', async () => {
    expect((await stack.run(['dlq', '--max', '0'])).code).toBe(2);
  });
});

describe('bridge dlq redrive', () => {
  it('shows what would move with --dry-run and moves nothing', async () => {
    const r = await stack.run(['dlq', 'redrive', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dry run: would move 2 message(s)');
    expect(await depth(stack.bridge.resources.deadLetterQueueUrl)).toBe(2);
    expect(await depth(stack.bridge.resources.matchesQueueUrl)).toBe(0);
  });

  it('moves every message back to the matches queue', async () => {
    const r = await stack.run(['dlq', 'redrive', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'one-by-one', moved: 2 });
    expect(await depth(stack.bridge.resources.deadLetterQueueUrl)).toBe(0);
    expect(await depth(stack.bridge.resources.matchesQueueUrl)).toBe(2);
    const empty = await stack.run(['dlq']);
    expect(empty.stdout).toContain('The dead-letter queue is empty.');
  });
});
