/**
 * Backfill in every state a match can be in: READY gets PlayersAssigned and no new server;
 * PLACING is retried, then fails on the last delivery; FAILED, ENDING, ENDED and unknown fail
 * with their reason. Duplicates announce the same assignment again and write nothing.
 */
import { describe, expect, it } from 'vitest';
import { assignBackfill, rejectInvalidBackfill } from '../../lambdas/core/backfill.ts';
import { StateConflictError, TransientPlacementError } from '../../lambdas/core/errors.ts';
import { MatchBackfilledV1, MatchFoundV1 } from '../../lambdas/core/match-event.ts';
import { placeMatch } from '../../lambdas/core/placement/place-match.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import {
  MAX_RECORDED_BACKFILLS,
  newPlacingRecord,
  type SessionRecord,
  toEnded,
  toEnding,
  toFailed,
} from '../../lambdas/core/session-record.ts';
import { NAMESPACE } from '../fixtures/config.ts';
import { aMatchFound } from '../fixtures/match-found.ts';
import { aMatchBackfilled } from '../fixtures/native.ts';
import { aWorld, type World } from '../fixtures/world.ts';

const backfillOf = (props: Parameters<typeof aMatchBackfilled>[0] = {}) =>
  MatchBackfilledV1.parse(aMatchBackfilled(props));

async function aReadyMatch(world: World): Promise<SessionRecord> {
  const outcome = await placeMatch(MatchFoundV1.parse(aMatchFound()), world.deps);
  expect(outcome.kind).toBe('placed');
  return world.store.stored('match-0001');
}

function aPlacingRecord(world: World): SessionRecord {
  return newPlacingRecord({
    matchId: 'match-0001',
    sessionId: sessionIdFor('match-0001', NAMESPACE),
    profile: 'arena',
    image: 'arena-server',
    players: [{ id: 'alice' }],
    activeShards: 8,
    now: world.clock.now(),
  });
}

describe('a backfill of a READY match', () => {
  it('announces the new players with the running session’s host and ports, and starts no server', async () => {
    const world = aWorld();
    const ready = await aReadyMatch(world);
    const starts = world.gameye.calls.startSession;

    const outcome = await assignBackfill(backfillOf(), world.deps);

    expect(outcome).toEqual({
      kind: 'assigned',
      matchId: 'match-0001',
      sessionId: ready.sessionId,
      backfillId: 'backfill-1',
      players: 1,
      first: true,
    });
    expect(world.gameye.calls.startSession).toBe(starts);
    expect(world.publisher.ofType('PlayersAssigned')).toEqual([
      {
        type: 'PlayersAssigned',
        version: 1,
        matchId: 'match-0001',
        sessionId: ready.sessionId,
        backfillId: 'backfill-1',
        region: ready.region,
        host: ready.host,
        ports: { '7777/udp': 24011 },
        portList: [{ protocol: 'udp', container: 7777, host: 24011 }],
        players: [{ id: 'dave', team: 'blue' }],
        assignedAt: new Date(world.clock.now()).toISOString(),
      },
    ]);
    expect(world.store.stored('match-0001').backfills).toEqual([
      {
        backfillId: 'backfill-1',
        players: [{ id: 'dave', team: 'blue' }],
        assignedAt: new Date(world.clock.now()).toISOString(),
      },
    ]);
    // The match's own players and its SessionReady are untouched.
    expect(world.store.stored('match-0001').players).toEqual(ready.players);
  });

  it('answers a duplicate with the same PlayersAssigned, writing nothing, even after the clock moved', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    await assignBackfill(backfillOf(), world.deps);
    const writes = world.store.writes.length;
    world.clock.advance(60_000);

    const again = await assignBackfill(backfillOf(), world.deps);

    expect(again).toMatchObject({ kind: 'assigned', first: false });
    expect(world.store.writes.length).toBe(writes);
    const [first, second] = world.publisher.ofType('PlayersAssigned');
    expect(second).toEqual(first);
  });

  it('keeps announcing a recorded backfill after the match moved on (ENDING)', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    await assignBackfill(backfillOf(), world.deps);
    const assigned = world.store.stored('match-0001');
    world.store.seed(toEnding(assigned, 'match-ended', world.clock.now()));

    const again = await assignBackfill(backfillOf(), world.deps);

    expect(again).toMatchObject({ kind: 'assigned', first: false });
    expect(world.publisher.ofType('BackfillFailed')).toEqual([]);
  });

  it('announces after a crash between recording and publishing, exactly as the first time would have', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    world.publisher.failOnce('before');

    await expect(assignBackfill(backfillOf(), world.deps)).rejects.toThrow('injected publisher crash');
    world.clock.advance(5_000);
    const retried = await assignBackfill(backfillOf(), world.deps);

    expect(retried).toMatchObject({ kind: 'assigned', first: false });
    expect(world.publisher.ofType('PlayersAssigned')).toHaveLength(1);
    expect(world.publisher.ofType('PlayersAssigned')[0]?.assignedAt).toBe(
      world.store.stored('match-0001').backfills?.[0]?.assignedAt,
    );
  });

  it('assigns a second backfill beside the first, and keeps only the latest few', async () => {
    const world = aWorld();
    await aReadyMatch(world);

    for (let i = 0; i < MAX_RECORDED_BACKFILLS + 2; i++) {
      await assignBackfill(backfillOf({ backfillId: `b-${i}`, players: [{ id: `new-${i}` }] }), world.deps);
    }

    const kept = world.store.stored('match-0001').backfills?.map((b) => b.backfillId);
    expect(kept).toHaveLength(MAX_RECORDED_BACKFILLS);
    expect(kept?.at(-1)).toBe(`b-${MAX_RECORDED_BACKFILLS + 1}`);
    expect(world.publisher.ofType('PlayersAssigned')).toHaveLength(MAX_RECORDED_BACKFILLS + 2);
  });

  it('reads the record again at once when another writer (the reaper) changed it first, and assigns', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    // The reaper's player tracking lands between the backfill's read and its write, once.
    world.store.beforeTransition = () => {
      world.store.beforeTransition = () => {};
      throw new StateConflictError('version moved');
    };

    const outcome = await assignBackfill(backfillOf(), world.deps);

    expect(outcome).toMatchObject({ kind: 'assigned', first: true });
    expect(world.publisher.ofType('PlayersAssigned')).toHaveLength(1);
  });

  it('is retried later when the record keeps changing under every read', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    world.store.beforeTransition = () => {
      throw new StateConflictError('version moved');
    };

    const attempt = assignBackfill(backfillOf(), world.deps);

    await expect(attempt).rejects.toBeInstanceOf(TransientPlacementError);
    await expect(attempt).rejects.toMatchObject({ reason: 'concurrent-update' });
    expect(world.publisher.ofType('PlayersAssigned')).toEqual([]);
  });

  it('turns a failing store or publisher into a transient failure, never a raw error', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    world.store.failOnce('get', 'before', new Error('DynamoDB is throttling'));

    await expect(assignBackfill(backfillOf(), world.deps)).rejects.toBeInstanceOf(TransientPlacementError);
  });

  it('acknowledges a late duplicate of a backfill older than the last few without a write or an event', async () => {
    const world = aWorld();
    await aReadyMatch(world);
    for (let i = 0; i <= MAX_RECORDED_BACKFILLS; i++) {
      await assignBackfill(backfillOf({ backfillId: `b-${i}`, players: [{ id: `new-${i}` }] }), world.deps);
    }
    const before = world.store.stored('match-0001');
    const announced = world.publisher.ofType('PlayersAssigned').length;

    const outcome = await assignBackfill(
      backfillOf({ backfillId: 'b-0', players: [{ id: 'new-0' }] }),
      world.deps,
    );

    expect(outcome).toMatchObject({ kind: 'assigned', first: false, forgotten: true });
    expect(world.store.stored('match-0001')).toEqual(before);
    expect(before.earlierBackfillIds).toEqual(['b-0']);
    expect(world.publisher.ofType('PlayersAssigned')).toHaveLength(announced);
  });
});

describe('a backfill of a match that is not READY', () => {
  it('PLACING: is retried while SQS will deliver it again', async () => {
    const world = aWorld();
    world.store.seed(aPlacingRecord(world));

    const attempt = assignBackfill(backfillOf(), world.deps);

    await expect(attempt).rejects.toMatchObject({ name: 'TransientPlacementError', reason: 'match-placing' });
    expect(world.publisher.events).toEqual([]);
  });

  it('PLACING on the last delivery: fails match-not-ready', async () => {
    const world = aWorld();
    world.store.seed(aPlacingRecord(world));

    const outcome = await assignBackfill(backfillOf(), world.deps, { finalDelivery: true });

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'match-not-ready' });
    expect(world.publisher.ofType('BackfillFailed')).toMatchObject([
      { matchId: 'match-0001', backfillId: 'backfill-1', reason: 'match-not-ready' },
    ]);
  });

  it.each([
    ['FAILED', 'match-failed'],
    ['ENDING', 'match-over'],
    ['ENDED', 'match-over'],
  ] as const)('%s: fails %s at once, writing nothing', async (state, reason) => {
    const world = aWorld();
    const placing = aPlacingRecord(world);
    const now = world.clock.now();
    const record =
      state === 'FAILED'
        ? toFailed(placing, { reason: 'no-capacity', message: 'full' }, undefined, now, 30)
        : state === 'ENDING'
          ? toEnding(placing, 'idle', now, { region: 'eu-west', host: 'h', ports: [] })
          : toEnded(toEnding(placing, 'idle', now, { region: 'eu-west', host: 'h', ports: [] }), now, 30);
    world.store.seed(record);

    const outcome = await assignBackfill(backfillOf(), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason, sessionId: placing.sessionId });
    expect(world.store.writes).toEqual([]);
    expect(world.publisher.ofType('BackfillFailed')).toMatchObject([{ reason }]);
  });

  it('unknown: fails unknown-match, with the session id the match would have had', async () => {
    const world = aWorld();

    const outcome = await assignBackfill(backfillOf({ matchId: 'nobody' }), world.deps);

    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'unknown-match',
      sessionId: sessionIdFor('nobody', NAMESPACE),
    });
    expect(world.store.peek('nobody')).toBeUndefined();
  });

  it('a duplicate of a failed backfill fails the same way again', async () => {
    const world = aWorld();

    await assignBackfill(backfillOf({ matchId: 'nobody' }), world.deps);
    await assignBackfill(backfillOf({ matchId: 'nobody' }), world.deps);

    expect(world.publisher.ofType('BackfillFailed').map((e) => e.reason)).toEqual([
      'unknown-match',
      'unknown-match',
    ]);
  });
});

describe('an invalid MatchBackfilled', () => {
  it('is answered with BackfillFailed invalid-event when its ids can be read', async () => {
    const world = aWorld();

    const outcome = await rejectInvalidBackfill(
      { matchId: 'match-0001', backfillId: 'b-1', message: 'invalid match event: players: expected array' },
      world.deps,
    );

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid-event' });
    expect(world.publisher.ofType('BackfillFailed')).toMatchObject([
      { backfillId: 'b-1', reason: 'invalid-event' },
    ]);
  });

  it('publishes nothing when they cannot', async () => {
    const world = aWorld();

    await rejectInvalidBackfill({ matchId: 'match-0001', backfillId: undefined, message: 'bad' }, world.deps);

    expect(world.publisher.events).toEqual([]);
  });
});
