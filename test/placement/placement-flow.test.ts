import { describe, expect, it } from 'vitest';
import { SessionReadyV1 } from '../../lambdas/core/events.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import { gameyeError } from '../fakes/gameye.ts';
import { NAMESPACE } from '../fixtures/config.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { placeBody } from '../fixtures/place-body.ts';
import { aWorld } from '../fixtures/world.ts';

const SESSION_ID = sessionIdFor('match-0001', NAMESPACE);

describe('placeMatch', () => {
  it('starts one session in the best region, records it READY and publishes SessionReady', async () => {
    // Arrange
    const world = aWorld();

    // Act
    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    // Assert
    expect(outcome).toEqual({
      kind: 'placed',
      matchId: 'match-0001',
      sessionId: SESSION_ID,
      region: 'eu-west',
      via: 'started',
      chosenRank: 0,
    });
    expect(world.gameye.calls).toMatchObject({ startSession: 1, describeSession: 0 });
    expect(world.store.peek('match-0001')).toMatchObject({
      state: 'READY',
      region: 'eu-west',
      publishedAt: expect.any(String),
    });
    // Two writes per match: the claim (with its first attempt), then READY and published at once.
    expect(world.store.writes).toEqual(['claim:PLACING@2', 'ready:READY@3']);
    const [ready] = world.publisher.ofType('SessionReady');
    expect(SessionReadyV1.parse(ready)).toMatchObject({
      sessionId: SESSION_ID,
      host: 'eu-west.hosts.test',
      ports: { '7777/udp': 24011 },
      portList: [{ protocol: 'udp', container: 7777, host: 24011 }],
      players: [
        { id: 'alice', team: 'red' },
        { id: 'bob', team: 'blue' },
      ],
      ranking: { policy: 'latency', chosenRank: 0 },
    });
  });

  it('makes exactly one Gameye call per match once the availability cache is warm', async () => {
    const world = aWorld();
    await placeBody(bodyOf(aMatchFound({ matchId: 'warm-up' })), world.deps);
    const before = { ...world.gameye.calls };

    await placeBody(bodyOf(aMatchFound({ matchId: 'second' })), world.deps);

    expect(world.gameye.calls.availableLocations - before.availableLocations).toBe(0);
    expect(world.gameye.calls.startSession - before.startSession).toBe(1);
    expect(world.gameye.calls.describeSession).toBe(0);
  });

  it('reloads available locations once their cache entry expires', async () => {
    const world = aWorld();
    await placeBody(bodyOf(aMatchFound({ matchId: 'm-1' })), world.deps);

    world.clock.advance(5_001);
    await placeBody(bodyOf(aMatchFound({ matchId: 'm-2' })), world.deps);

    expect(world.gameye.calls.availableLocations).toBe(2);
  });

  it('tells the server its match and identifies the session by labels, keeping allowed overrides', async () => {
    const world = aWorld();
    const event = aMatchFound({ env: { MAP: 'dust' }, labels: { mode: 'ranked' }, ttl: '30m' });

    await placeBody(bodyOf(event), world.deps);

    expect(world.gameye.starts[0]).toEqual({
      id: SESSION_ID,
      location: 'eu-west',
      image: 'arena-server',
      env: { LOG_LEVEL: 'info', MAP: 'dust', MATCH_ID: 'match-0001', MATCH_PLAYERS: '["alice","bob"]' },
      labels: {
        game: 'arena',
        mode: 'ranked',
        'bridge-deployment': 'test-bridge',
        'bridge-match-id': 'match-0001',
        'bridge-profile': 'arena',
      },
      ttl: '30m',
    });
  });

  it('absorbs a duplicate delivery of a placed match without calling Gameye or publishing', async () => {
    const world = aWorld();
    await placeBody(bodyOf(aMatchFound()), world.deps);

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'duplicate', state: 'READY', republished: false });
    expect(world.gameye.calls.startSession).toBe(1);
    expect(world.publisher.events).toHaveLength(1);
  });

  it('republishes SessionReady for a READY record never recorded as published', async () => {
    // Placement records READY and published in one write; a READY record without publishedAt
    // comes from an older bridge version or a hand edit, and must still reach the backend.
    const world = aWorld();
    await placeBody(bodyOf(aMatchFound()), world.deps);
    const { publishedAt: _, ...unpublished } = world.store.peek('match-0001') ?? expect.unreachable();
    world.store.seed(unpublished);

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'duplicate', republished: true });
    expect(world.publisher.ofType('SessionReady')).toHaveLength(2);
    expect(world.publisher.events[0]).toEqual(world.publisher.events[1]);
    expect(world.store.peek('match-0001')?.publishedAt).toBeDefined();
  });

  it('adopts the existing session when Gameye answers 409', async () => {
    const world = aWorld();
    await world.gameye.startSession({
      id: SESSION_ID,
      location: 'na-east',
      image: 'arena-server',
      env: {},
      labels: {},
    });

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'placed', via: 'adopted', region: 'na-east', chosenRank: 1 });
    expect(world.gameye.sessions.size).toBe(1);
    expect(world.gameye.calls.describeSession).toBe(1);
    expect(world.publisher.ofType('SessionReady')[0]).toMatchObject({
      host: 'na-east.hosts.test',
      via: 'adopted',
    });
  });

  it('moves to the next region on 420 and cools the full region down', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('region-full', 'NO_CAPACITY'));

    const first = await placeBody(bodyOf(aMatchFound({ matchId: 'm-1' })), world.deps);
    const second = await placeBody(bodyOf(aMatchFound({ matchId: 'm-2' })), world.deps);

    expect(first).toMatchObject({ kind: 'placed', region: 'na-east', chosenRank: 1 });
    expect(world.store.peek('m-1')?.attempts.map((a) => [a.region, a.outcome])).toEqual([
      ['eu-west', 'no-capacity'],
      ['na-east', 'started'],
    ]);
    expect(second).toMatchObject({ kind: 'placed', region: 'na-east', chosenRank: 0 });
    expect(world.publisher.ofType('SessionReady')[1]?.ranking.dropped).toContainEqual({
      region: 'eu-west',
      reason: 'cooling-down',
    });
  });

  it('tries a cooled-down region again once the cooldown has passed', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('region-full'));
    await placeBody(bodyOf(aMatchFound({ matchId: 'm-1' })), world.deps);

    world.clock.advance(5_001);
    const outcome = await placeBody(bodyOf(aMatchFound({ matchId: 'm-2' })), world.deps);

    expect(outcome).toMatchObject({ region: 'eu-west' });
  });

  it('places a pinned version only where the tag is in the fleet', async () => {
    const world = aWorld({ tags: ['na-east/arena-server/v42'] });

    const outcome = await placeBody(bodyOf(aMatchFound({ profile: 'pinned' })), world.deps);

    expect(outcome).toMatchObject({ kind: 'placed', region: 'na-east' });
    expect(world.gameye.starts[0]?.version).toBe('v42');
    expect(world.publisher.ofType('SessionReady')[0]?.ranking.dropped).toContainEqual({
      region: 'eu-west',
      reason: 'tag-missing',
    });
  });

  it('places a match without latency data by the preference order', async () => {
    const world = aWorld();

    const outcome = await placeBody(bodyOf(aMatchFound({ players: [{ id: 'alice' }] })), world.deps);

    expect(outcome).toMatchObject({ region: 'eu-west' });
    expect(world.publisher.ofType('SessionReady')[0]?.ranking.policy).toBe('preference');
  });
});
