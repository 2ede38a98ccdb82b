/**
 * FlexMatch end to end on the local services: a `MatchmakingSucceeded` EventBridge event on
 * the matches queue, the placement function's real GameLift client asking the GameLift
 * stand-in for the tickets' `LatencyInMs` (keyed by AWS region), one Gameye session in the
 * region of the lowest worst-player latency. Duplicated events, a failing `DescribeMatchmaking`
 * and an event of a configuration the deployment does not name go the way they must.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import type { TicketRegistration } from '../../tools/gamelift-standin/index.ts';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';
import { startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import {
  allRecords,
  backendEvents,
  drainQueue,
  sendBodies,
  sessionsByMatch,
  waitForDrain,
} from './helpers.ts';

/** `config/local.config.json` runs `arena-casual-config` as profile `arena-casual`. */
const CONFIGURATION = 'arena-casual-config';
const arnOf = (configuration: string) =>
  `arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/${configuration}`;

/**
 * Two players whose fair region is not their best on average: Frankfurt (`eu-central-1`,
 * aliased to Gameye's `eu-central`) is 70 ms at worst, Dublin (`eu-west-1`) 110 ms at worst but
 * 60 ms on average. The bridge must pick `eu-central`.
 */
function ticketsOf(matchId: string): TicketRegistration[] {
  return [
    {
      TicketId: `${matchId}.ada`,
      ConfigurationName: CONFIGURATION,
      Players: [
        {
          PlayerId: `${matchId}-ada`,
          Team: 'red',
          LatencyInMs: { 'eu-west-1': 10, 'eu-central-1': 70, 'us-east-1': 150 },
        },
      ],
    },
    {
      TicketId: `${matchId}.grace`,
      ConfigurationName: CONFIGURATION,
      Players: [
        {
          PlayerId: `${matchId}-grace`,
          Team: 'blue',
          LatencyInMs: { 'eu-west-1': 110, 'eu-central-1': 60, 'us-east-1': 120 },
        },
      ],
    },
  ];
}

/** The event as EventBridge delivers it to an SQS target. */
function succeeded(matchId: string, configuration = CONFIGURATION): string {
  const tickets = ticketsOf(matchId).map((t) => ({
    ticketId: t.TicketId,
    startTime: '2026-12-01T10:00:00.000Z',
    players: t.Players.map((p) => ({ playerId: p.PlayerId, team: p.Team })),
  }));
  return JSON.stringify({
    version: '0',
    id: `event-${matchId}`,
    'detail-type': 'GameLift Matchmaking Event',
    source: 'aws.gamelift',
    account: '123456789012',
    time: '2026-12-01T10:00:05.000Z',
    region: 'eu-west-1',
    resources: [arnOf(configuration)],
    detail: {
      type: 'MatchmakingSucceeded',
      matchId,
      tickets,
      gameSessionInfo: { players: tickets.flatMap((t) => t.players) },
    },
  });
}

let bridge: LocalBridge;

beforeAll(async () => {
  bridge = await startLocalBridge({ bridgeConfig: quickRetryLocalConfig(), concurrency: 2 });
  bridge.eventSource.start();
}, 60_000);
afterAll(async () => bridge?.close());
beforeEach(() => bridge.gamelift.reset());

async function send(...bodies: string[]): Promise<void> {
  await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, bodies);
  await waitForDrain(bridge);
}

const recordOf = async (matchId: string) => (await allRecords(bridge)).find((r) => r.matchId === matchId);

describe('a FlexMatch MatchmakingSucceeded event', () => {
  it('becomes one Gameye session in the region of the lowest worst-player LatencyInMs', async () => {
    bridge.gamelift.tickets.register(...ticketsOf('fm-fair'));

    await send(succeeded('fm-fair'));

    const record = await recordOf('fm-fair');
    expect(record).toMatchObject({ state: 'READY', region: 'eu-central' });
    const sessions = sessionsByMatch(bridge).get('fm-fair') ?? [];
    expect(sessions).toHaveLength(1);
    const session = bridge.emulator.admin.sessions().find((s) => s.id === sessions[0]);
    expect(session?.location).toBe('eu-central');
    expect(bridge.gamelift.calls()).toEqual([
      { ticketIds: ['fm-fair.ada', 'fm-fair.grace'], outcome: 'answered', found: 2 },
    ]);
    const ready = (await backendEvents(bridge)).find(
      (e) => e.type === 'SessionReady' && e.matchId === 'fm-fair',
    );
    expect(ready).toMatchObject({
      region: 'eu-central',
      tickets: [
        { ticketId: 'fm-fair.ada', playerIds: ['fm-fair-ada'] },
        { ticketId: 'fm-fair.grace', playerIds: ['fm-fair-grace'] },
      ],
    });
  });

  it('delivered three times, two of them side by side, still starts one session', async () => {
    bridge.gamelift.tickets.register(...ticketsOf('fm-dup'));

    await send(succeeded('fm-dup'), succeeded('fm-dup'));
    await send(succeeded('fm-dup'));

    expect(sessionsByMatch(bridge).get('fm-dup')).toHaveLength(1);
    expect(await recordOf('fm-dup')).toMatchObject({ state: 'READY', region: 'eu-central' });
  });

  it('is retried when DescribeMatchmaking throttles and fails past the SDK’s own retries, then placed', async () => {
    bridge.gamelift.tickets.register(...ticketsOf('fm-fault'));
    // Every attempt of the first delivery fails (the adapter allows the SDK 3): the delivery
    // fails for now and comes back after the config's backoff.
    bridge.gamelift.faults.failNext('throttling', 2);
    bridge.gamelift.faults.failNext('internal', 1);

    await send(succeeded('fm-fault'));

    expect(bridge.gamelift.calls().map((c) => c.outcome)).toEqual([
      'throttling',
      'throttling',
      'internal',
      'answered',
    ]);
    expect(sessionsByMatch(bridge).get('fm-fault')).toHaveLength(1);
    expect(await recordOf('fm-fault')).toMatchObject({ state: 'READY', region: 'eu-central' });
  });
});

describe('a FlexMatch event of a configuration the deployment does not name', () => {
  it('goes to the DLQ with its reason, starting nothing and asking GameLift nothing', async () => {
    await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    bridge.gamelift.tickets.register(...ticketsOf('fm-other'));

    await send(succeeded('fm-other', 'someone-elses-config'));

    const parked = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    expect(parked).toHaveLength(1);
    const attributes = parked[0]?.MessageAttributes ?? {};
    expect(attributes[DLQ_ATTRIBUTES.reason]?.StringValue).toBe('unknown-configuration');
    expect(attributes[DLQ_ATTRIBUTES.message]?.StringValue).toContain('someone-elses-config');
    expect(sessionsByMatch(bridge).get('fm-other')).toBeUndefined();
    expect(await recordOf('fm-other')).toBeUndefined();
    expect(bridge.gamelift.calls()).toEqual([]);
  });
});
