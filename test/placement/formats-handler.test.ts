/**
 * The handler with matchmakers' formats and backfills (fakes only): what is placed, what is
 * acknowledged, what is parked in the DLQ with which reason, and what is published. The
 * local-services version runs in test/integration/formats.test.ts and backfill.test.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../lambdas/adapters/sqs-dead-letter.ts';
import type { Redelivery } from '../../lambdas/adapters/sqs-redelivery.ts';
import type { BridgeConfigInput } from '../../lambdas/core/config.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { FakeMatchmakingTickets } from '../fakes/matchmaking-tickets.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import {
  aFlexMatchEvent,
  allSources,
  aMatchBackfilled,
  aNakamaMatched,
  anOpenMatch2Match,
} from '../fixtures/native.ts';
import { aWorld, type World } from '../fixtures/world.ts';
import { steadyContext } from '../support/lambda-context.ts';

const MAX_RECEIVES = 3;

class RecordingRedelivery {
  readonly delays: Redelivery[] = [];
  async delay(entries: readonly Redelivery[]): Promise<string[]> {
    this.delays.push(...entries);
    return [];
  }
}

interface Rig {
  readonly world: World;
  readonly parked: DeadLetter[];
  readonly tickets: FakeMatchmakingTickets;
  readonly redelivery: RecordingRedelivery;
  /** Every metric the handler added, by name, with its dimensions. */
  readonly metrics: { name: string; dimensions: Record<string, string> }[];
  send(body: unknown, receiveCount?: number): Promise<string[]>;
}

function aRig(config: Partial<BridgeConfigInput> = { sources: allSources() }): Rig {
  const world = aWorld({ config });
  const parked: DeadLetter[] = [];
  const tickets = new FakeMatchmakingTickets();
  const redelivery = new RecordingRedelivery();
  const metrics = silentMetrics();
  const added: { name: string; dimensions: Record<string, string> }[] = [];
  vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const dimensions: Record<string, string> = {};
    const single = silentMetrics();
    vi.spyOn(single, 'addDimension').mockImplementation((name, value) => {
      dimensions[name] = value;
      return single;
    });
    vi.spyOn(single, 'addMetric').mockImplementation((name) => {
      added.push({ name, dimensions });
      return single;
    });
    return single;
  });
  const handler = makePlacementHandler({
    ...world.deps,
    maxReceiveCount: MAX_RECEIVES,
    deadLetters: { park: async (letter) => void parked.push(letter) },
    gameyeFor: () => world.gameye,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    tickets,
    redelivery,
    random: () => 0.999,
  });
  let n = 0;
  return {
    world,
    parked,
    tickets,
    redelivery,
    metrics: added,
    async send(body, receiveCount = 1) {
      const event: SQSEvent = {
        Records: [sqsRecord(`m-${++n}`, typeof body === 'string' ? body : bodyOf(body), receiveCount)],
      };
      const response = await handler(event, steadyContext());
      return response.batchItemFailures.map((f) => f.itemIdentifier);
    },
  };
}

function sqsRecord(messageId: string, body: string, receiveCount: number): SQSRecord {
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

const FLEX_MATCH_ID = '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e';

describe('a FlexMatch match through the handler', () => {
  it('is placed with the latencies looked up by ticket, and SessionReady names the tickets', async () => {
    const rig = aRig();
    // Everyone is far from eu-west-1: the latencies, not the preference order, decide.
    rig.tickets
      .ticket('ticket-a', {
        alice: { 'eu-west-1': 150, 'us-east-1': 20 },
        carol: { 'eu-west-1': 160, 'us-east-1': 30 },
      })
      .ticket('ticket-b', { bob: { 'eu-west-1': 140, 'us-east-1': 25 } });

    expect(await rig.send(aFlexMatchEvent())).toEqual([]);

    expect(rig.tickets.calls).toEqual([['ticket-a', 'ticket-b']]);
    expect(rig.world.store.stored(FLEX_MATCH_ID)).toMatchObject({ state: 'READY', region: 'na-east' });
    const [ready] = rig.world.publisher.ofType('SessionReady');
    expect(ready).toMatchObject({
      matchId: FLEX_MATCH_ID,
      profile: 'arena',
      region: 'na-east',
      players: [
        { id: 'alice', team: 'red' },
        { id: 'carol', team: 'red' },
        { id: 'bob', team: 'blue' },
      ],
      tickets: [
        { ticketId: 'ticket-a', playerIds: ['alice', 'carol'] },
        { ticketId: 'ticket-b', playerIds: ['bob'] },
      ],
    });
    expect(ready?.notes).toBeUndefined();
    expect(rig.parked).toEqual([]);
  });

  it('places the players of a ticket GameLift no longer returns by preference, with a note in SessionReady', async () => {
    const rig = aRig();
    rig.tickets.ticket('ticket-b', { bob: { 'eu-west-1': 140, 'us-east-1': 25 } });

    await rig.send(aFlexMatchEvent());

    const [ready] = rig.world.publisher.ofType('SessionReady');
    expect(ready?.region).toBe('na-east');
    expect(ready?.notes).toEqual([
      'DescribeMatchmaking no longer returns ticket ticket-a (alice, carol): their players were placed by preference',
    ]);
    expect(rig.world.store.stored(FLEX_MATCH_ID).notes).toEqual(ready?.notes);
  });

  it('fails the message for now when the ticket lookup is throttled, with the usual backoff and nothing stored', async () => {
    const rig = aRig();
    rig.tickets.failNext('throttled');

    expect(await rig.send(aFlexMatchEvent())).toEqual(['m-1']);

    expect(rig.redelivery.delays).toEqual([{ receiptHandle: 'rh-m-1', delaySeconds: 15 }]);
    expect(rig.world.store.peek(FLEX_MATCH_ID)).toBeUndefined();
    expect(rig.world.gameye.calls.startSession).toBe(0);
  });

  it('places by preference on the last delivery when the lookup still fails, saying so', async () => {
    const rig = aRig();
    rig.tickets.failNext('unavailable');

    expect(await rig.send(aFlexMatchEvent(), MAX_RECEIVES)).toEqual([]);

    const [ready] = rig.world.publisher.ofType('SessionReady');
    expect(ready).toMatchObject({ region: 'eu-west', ranking: { policy: 'preference' } });
    expect(ready?.notes?.[0]).toContain('the lookup still failed on the last delivery');
  });

  it('places by preference at once when GameLift denies the lookup, counting it by kind', async () => {
    const rig = aRig();
    rig.tickets.failNext('denied');

    expect(await rig.send(aFlexMatchEvent())).toEqual([]);

    const [ready] = rig.world.publisher.ofType('SessionReady');
    expect(ready).toMatchObject({ ranking: { policy: 'preference' } });
    expect(ready?.notes?.[0]).toContain('GameLift refused the lookup');
    expect(rig.metrics).toContainEqual({ name: 'FlexMatchLatenciesUnread', dimensions: { kind: 'denied' } });
  });

  it('answers a duplicate from the record: one session, the same tickets, no second lookup', async () => {
    const rig = aRig();

    await rig.send(aFlexMatchEvent());
    await rig.send(aFlexMatchEvent());

    expect(rig.world.gameye.sessions.size).toBe(1);
    expect(rig.world.publisher.ofType('SessionReady')).toHaveLength(1);
    expect(rig.tickets.calls).toHaveLength(1);
  });

  it('acknowledges a duplicate of a placed match while GameLift throttles: the record answers, GameLift is not asked', async () => {
    const rig = aRig();
    await rig.send(aFlexMatchEvent());
    rig.tickets.failNext('throttled');

    expect(await rig.send(aFlexMatchEvent())).toEqual([]);

    expect(rig.tickets.calls).toHaveLength(1);
    expect(rig.world.gameye.sessions.size).toBe(1);
  });

  it('acknowledges other FlexMatch event types without a lookup, a record, an event or a dead letter', async () => {
    const rig = aRig();

    expect(await rig.send(aFlexMatchEvent({ type: 'MatchmakingTimedOut' }))).toEqual([]);

    expect(rig.tickets.calls).toEqual([]);
    expect(rig.world.store.writes).toEqual([]);
    expect(rig.world.publisher.events).toEqual([]);
    expect(rig.parked).toEqual([]);
  });

  it('parks an event of an unconfigured configuration with the reason and no event', async () => {
    const rig = aRig();

    await rig.send(
      aFlexMatchEvent({}, ['arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/other']),
    );

    expect(rig.parked).toMatchObject([{ reason: 'unknown-configuration', matchId: FLEX_MATCH_ID }]);
    expect(rig.parked[0]?.message).toContain('other');
    expect(rig.world.publisher.events).toEqual([]);
  });

  it('backfills a running match from a FlexMatch backfill event', async () => {
    const rig = aRig();
    await rig.send(aFlexMatchEvent());

    await rig.send(
      aFlexMatchEvent({
        matchId: 'b2c3d4e5-0000-4000-8000-000000000001',
        tickets: [
          { ticketId: `backfill.${FLEX_MATCH_ID}`, players: [{ playerId: 'alice' }, { playerId: 'bob' }] },
          { ticketId: 'ticket-c', players: [{ playerId: 'dave', team: 'blue' }] },
        ],
      }),
    );

    expect(rig.world.gameye.sessions.size).toBe(1);
    expect(rig.world.publisher.ofType('PlayersAssigned')).toMatchObject([
      {
        matchId: FLEX_MATCH_ID,
        backfillId: 'b2c3d4e5-0000-4000-8000-000000000001',
        players: [{ id: 'dave', team: 'blue' }],
      },
    ]);
  });

  it('answers an invalid FlexMatch backfill with BackfillFailed for the running match, not SessionFailed', async () => {
    const rig = aRig();
    await rig.send(aFlexMatchEvent());

    await rig.send(
      aFlexMatchEvent({
        matchId: 'b2c3d4e5-0000-4000-8000-000000000002',
        tickets: [{ ticketId: `backfill.${FLEX_MATCH_ID}`, players: [{ playerId: 'alice' }] }],
      }),
    );

    expect(rig.world.publisher.ofType('SessionFailed')).toEqual([]);
    expect(rig.world.publisher.ofType('BackfillFailed')).toMatchObject([
      { matchId: FLEX_MATCH_ID, backfillId: 'b2c3d4e5-0000-4000-8000-000000000002', reason: 'invalid-event' },
    ]);
    expect(rig.parked).toMatchObject([{ reason: 'invalid-event', matchId: FLEX_MATCH_ID }]);
  });
});

describe('Open Match 2 and Nakama through the handler', () => {
  it('places each, once, with its teams and latencies', async () => {
    const rig = aRig();

    await rig.send(anOpenMatch2Match());
    await rig.send(aNakamaMatched());
    await rig.send(aNakamaMatched());

    expect(rig.world.store.stored('om-match-1')).toMatchObject({
      state: 'READY',
      region: 'eu-west',
      players: [
        { id: 'ticket-1', team: 'red' },
        { id: 'ticket-2', team: 'blue' },
      ],
    });
    expect(rig.world.store.stored('nk-match-1.nakama1')).toMatchObject({ state: 'READY', region: 'eu-west' });
    expect(rig.world.gameye.sessions.size).toBe(2);
  });

  it('parks an invalid message as invalid-event, naming the format and the field, with SessionFailed', async () => {
    const rig = aRig();
    const bad = anOpenMatch2Match({
      rosters: {
        red: { tickets: [{ id: 't-1', attributes: { doubleArgs: { 'latency-ms.eu-west-1': -1 } } }] },
      },
    });

    expect(await rig.send(bad)).toEqual([]);

    expect(rig.parked).toMatchObject([{ reason: 'invalid-event', matchId: 'om-match-1' }]);
    expect(rig.parked[0]?.message).toBe(
      'invalid Open Match 2 message: rosters.red.tickets[0].attributes.doubleArgs.latency-ms.eu-west-1: expected a latency of at least 0 ms',
    );
    expect(rig.world.publisher.ofType('SessionFailed')).toMatchObject([
      { matchId: 'om-match-1', reason: 'invalid-event' },
    ]);
  });

  it('parks a format the deployment does not accept, naming it, with no event', async () => {
    const rig = aRig({ sources: { matchFound: {} } });

    await rig.send(aNakamaMatched());

    expect(rig.parked).toMatchObject([{ reason: 'format-not-accepted', matchId: 'nk-match-1.nakama1' }]);
    expect(rig.parked[0]?.message).toContain('Nakama');
    expect(rig.world.publisher.events).toEqual([]);
  });
});

describe('MatchBackfilled through the handler', () => {
  it('assigns to a READY match and announces a duplicate again without a second write', async () => {
    const rig = aRig();
    await rig.send(aMatchFound());
    const writes = rig.world.store.writes.length;

    await rig.send(aMatchBackfilled());
    await rig.send(aMatchBackfilled());

    expect(rig.world.store.writes.length).toBe(writes + 1);
    expect(rig.world.publisher.ofType('PlayersAssigned')).toHaveLength(2);
    expect(rig.parked).toEqual([]);
  });

  it('retries a backfill of a match still PLACING with the usual backoff, then parks it match-not-ready', async () => {
    const rig = aRig();
    rig.world.gameye.script('eu-west', 'created-then-timeout');
    expect(await rig.send(aMatchFound())).toEqual(['m-1']);
    expect(rig.world.store.stored('match-0001').state).toBe('PLACING');

    expect(await rig.send(aMatchBackfilled(), 1)).toEqual(['m-2']);
    expect(await rig.send(aMatchBackfilled(), MAX_RECEIVES)).toEqual([]);

    expect(rig.redelivery.delays.at(-1)).toEqual({ receiptHandle: 'rh-m-2', delaySeconds: 15 });
    expect(rig.parked).toMatchObject([{ reason: 'match-not-ready', matchId: 'match-0001' }]);
    expect(rig.world.publisher.ofType('BackfillFailed')).toMatchObject([{ reason: 'match-not-ready' }]);
  });

  it('parks a backfill of an unknown match with its reason, and one that is invalid as invalid-event', async () => {
    const rig = aRig();

    await rig.send(aMatchBackfilled({ matchId: 'nobody' }));
    await rig.send({ ...aMatchBackfilled(), players: [] });

    expect(rig.parked.map((p) => [p.reason, p.matchId])).toEqual([
      ['unknown-match', 'nobody'],
      ['invalid-event', 'match-0001'],
    ]);
    expect(rig.world.publisher.ofType('BackfillFailed').map((e) => e.reason)).toEqual([
      'unknown-match',
      'invalid-event',
    ]);
  });
});
