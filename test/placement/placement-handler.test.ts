/**
 * The SQS handler around the core: partial batch responses, parking permanent failures, and
 * the last delivery settling its match. Fakes only; the local-services version of these runs
 * in test/integration.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../lambdas/adapters/sqs-dead-letter.ts';
import type { Redelivery } from '../../lambdas/adapters/sqs-redelivery.ts';
import { UnusableGameye } from '../../lambdas/adapters/unusable-gameye.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { gameyeError } from '../fakes/gameye.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { aWorld, type World } from '../fixtures/world.ts';
import { steadyContext } from '../support/lambda-context.ts';

function handlerOf(
  world: World,
  parked: DeadLetter[],
  extra: Partial<Parameters<typeof makePlacementHandler>[0]> = {},
) {
  return makePlacementHandler({
    ...world.deps,
    maxReceiveCount: 3,
    deadLetters: { park: async (letter) => void parked.push(letter) },
    gameyeFor: () => world.gameye,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: silentMetrics(),
    ...extra,
  });
}

/** Records the visibility changes the handler asks SQS for. */
class RecordingRedelivery {
  readonly delays: Redelivery[] = [];
  async delay(entries: readonly Redelivery[]): Promise<string[]> {
    this.delays.push(...entries);
    return [];
  }
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
const context = () => steadyContext();

describe('the placement handler', () => {
  it('reports only the transiently failed record of a batch', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unavailable'));
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
    world.gameye.script('eu-west', gameyeError('unavailable'), gameyeError('unavailable'));
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
    world.gameye.script(
      'eu-west',
      gameyeError('unavailable'),
      gameyeError('unavailable'),
      gameyeError('unavailable'),
    );
    world.gameye.script(
      'na-east',
      gameyeError('unavailable'),
      gameyeError('unavailable'),
      gameyeError('unavailable'),
    );
    const parked: DeadLetter[] = [];
    const handler = handlerOf(world, parked);

    const response = await handler(batch(sqsRecord('m-1', bodyOf(aMatchFound()), 3)), context());

    expect(response.batchItemFailures).toEqual([]);
    expect(parked).toMatchObject([{ sourceMessageId: 'm-1', reason: 'retries-exhausted' }]);
    expect(world.store.peek('match-0001')).toMatchObject({ state: 'FAILED' });
    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
  });

  it('spaces out the retries of a failed record by its receive count, within the configured backoff', async () => {
    // firstDelaySeconds 15, maxDelaySeconds 180 (the defaults): receive n waits in [d/2, d], d = 15 × 2^(n-1).
    const world = aWorld();
    for (let i = 0; i < 2; i++) world.gameye.script('eu-west', gameyeError('unavailable'));
    const redelivery = new RecordingRedelivery();
    const handler = handlerOf(world, [], { redelivery, maxReceiveCount: 5, random: () => 0.999 });

    await handler(batch(sqsRecord('m-1', bodyOf(aMatchFound({ matchId: 'm-1' })), 1)), context());
    await handler(batch(sqsRecord('m-2', bodyOf(aMatchFound({ matchId: 'm-2' })), 4)), context());

    expect(redelivery.delays).toEqual([
      { receiptHandle: 'rh-m-1', delaySeconds: 15 },
      { receiptHandle: 'rh-m-2', delaySeconds: 120 },
    ]);
  });

  it('asks for no backoff on the last delivery, nor for a record that succeeded', async () => {
    const world = aWorld();
    const redelivery = new RecordingRedelivery();
    const handler = handlerOf(world, [], { redelivery, maxReceiveCount: 3 });
    world.gameye.script('eu-west', gameyeError('unavailable'));
    world.gameye.script('na-east', gameyeError('unavailable'));

    const response = await handler(
      batch(
        sqsRecord('last', bodyOf(aMatchFound({ matchId: 'last' })), 3),
        sqsRecord('ok', bodyOf(aMatchFound({ matchId: 'ok' }))),
      ),
      context(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(redelivery.delays).toEqual([]);
  });

  it('settles matches with the reason when the Gameye token cannot be read, instead of losing it', async () => {
    // The stack creates the token secret empty: until it is set, no call can be made at all.
    const world = aWorld();
    const parked: DeadLetter[] = [];
    const unusable = new UnusableGameye(
      'unauthorized',
      'the Gameye client could not be built: the Gameye token secret arn:… has no value yet: set it with put-secret-value',
    );
    const redelivery = new RecordingRedelivery();
    const handler = handlerOf(world, parked, { gameyeFor: () => unusable, redelivery });

    const early = await handler(batch(sqsRecord('m-1', bodyOf(aMatchFound()), 1)), context());
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(redelivery.delays).toHaveLength(1);
    expect(parked).toEqual([]);

    const last = await handler(batch(sqsRecord('m-1', bodyOf(aMatchFound()), 3)), context());
    expect(last.batchItemFailures).toEqual([]);
    expect(parked).toMatchObject([
      {
        sourceMessageId: 'm-1',
        reason: 'unauthorized',
        message: expect.stringContaining('has no value yet'),
      },
    ]);
    expect(world.store.peek('match-0001')).toMatchObject({
      state: 'FAILED',
      failure: { reason: 'unauthorized' },
    });
    expect(world.publisher.ofType('SessionFailed')).toMatchObject([{ reason: 'unauthorized' }]);
  });
});
