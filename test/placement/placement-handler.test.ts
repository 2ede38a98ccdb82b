/**
 * The SQS handler around the core: partial batch responses, parking permanent failures, and
 * the last delivery settling its match. Fakes only; the local-services version of these runs
 * in test/integration.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import { silentMetrics } from '../../tools/local/local-bridge.ts';
import { fakeContext } from '../../tools/local/sqs-event-source.ts';
import { gameyeError } from '../fakes/gameye.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { aWorld, type World } from '../fixtures/world.ts';

function handlerOf(world: World, parked: DeadLetter[]) {
  return makePlacementHandler({
    ...world.deps,
    maxReceiveCount: 3,
    deadLetters: { park: async (letter) => void parked.push(letter) },
    gameyeFor: () => world.gameye,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: silentMetrics(),
  });
}

function sqsRecord(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:matches',
    awsRegion: 'local',
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const context = () => fakeContext(Date.now() + 30_000);

describe('the placement handler', () => {
  it('reports only the transiently failed record of a batch', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError(503));
    const handler = handlerOf(world, []);

    const response = await handler(
      batch(
        sqsRecord('m-bad', bodyOf(aMatchFound({ matchId: 'bad' }))),
        sqsRecord('m-good', bodyOf(aMatchFound({ matchId: 'good' }))),
      ),
      context(),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
  });

  it('keeps each concurrent invocation’s failures its own', async () => {
    // Two invocations at once on one handler (the local runner's pollers; Lambda instances that
    // serve several invocations): a shared batch processor would mix up their results.
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError(503), gameyeError(503));
    const handler = handlerOf(world, []);

    const [first, second] = await Promise.all([
      handler(batch(sqsRecord('a-1', bodyOf(aMatchFound({ matchId: 'a-1' })))), context()),
      handler(
        batch(
          sqsRecord('b-1', bodyOf(aMatchFound({ matchId: 'b-1' }))),
          sqsRecord('b-2', bodyOf(aMatchFound({ matchId: 'b-2' }))),
          sqsRecord('b-3', bodyOf(aMatchFound({ matchId: 'b-3' }))),
        ),
        context(),
      ),
    ]);

    const failed = [...first.batchItemFailures, ...second.batchItemFailures].map((f) => f.itemIdentifier);
    expect(failed).toHaveLength(2);
    for (const id of failed) expect(world.store.peek(id)?.state ?? 'none').not.toBe('READY');
    for (const id of ['a-1', 'b-1', 'b-2', 'b-3'].filter((m) => !failed.includes(m))) {
      expect(world.store.peek(id)?.state).toBe('READY');
    }
  });

  it('parks a permanent failure with its reason and acknowledges it', async () => {
    const world = aWorld();
    const parked: DeadLetter[] = [];
    const handler = handlerOf(world, parked);

    const response = await handler(batch(sqsRecord('m-1', '{"version": 1, "matchId":')), context());

    expect(response.batchItemFailures).toEqual([]);
    expect(parked).toMatchObject([{ sourceMessageId: 'm-1', reason: 'invalid-event' }]);
  });

  it('settles the match on the last delivery SQS makes instead of failing the record again', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError(503), gameyeError(503), gameyeError(503));
    world.gameye.script('na-east', gameyeError(503), gameyeError(503), gameyeError(503));
    const parked: DeadLetter[] = [];
    const handler = handlerOf(world, parked);

    const response = await handler(batch(sqsRecord('m-1', bodyOf(aMatchFound()), 3)), context());

    expect(response.batchItemFailures).toEqual([]);
    expect(parked).toMatchObject([{ sourceMessageId: 'm-1', reason: 'retries-exhausted' }]);
    expect(world.store.peek('match-0001')).toMatchObject({ state: 'FAILED' });
    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
  });
});
