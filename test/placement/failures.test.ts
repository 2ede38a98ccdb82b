import { describe, expect, it } from 'vitest';
import { AlreadyClaimedError, TransientPlacementError } from '../../lambdas/core/errors.ts';
import { SessionFailedV1 } from '../../lambdas/core/events.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import { newEndedBeforePlacedRecord } from '../../lambdas/core/session-record.ts';
import { gameyeError } from '../fakes/gameye.ts';
import { NAMESPACE } from '../fixtures/config.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { placeBody } from '../fixtures/place-body.ts';
import { aWorld } from '../fixtures/world.ts';

describe('placeMatch permanent failures', () => {
  it.each([
    ['quota-exhausted', 'quota-exhausted'],
    ['unknown-image-or-location', 'unknown-image-or-location'],
    ['rejected', 'rejected-by-gameye'],
  ] as const)(
    'records FAILED and publishes SessionFailed when a start fails with %s',
    async (kind, reason) => {
      // Arrange
      const world = aWorld();
      world.gameye.script('eu-west', gameyeError(kind));

      // Act
      const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

      // Assert
      const identifier = `gid-${kind}-${kind.toUpperCase()}`;
      expect(outcome).toMatchObject({ kind: 'failed', reason, identifier, recorded: true });
      expect(world.gameye.starts).toHaveLength(1);
      const record = world.store.peek('match-0001');
      expect(record).toMatchObject({
        state: 'FAILED',
        failure: { reason, identifier },
        publishedAt: expect.any(String),
      });
      expect(record?.activeShard).toBeUndefined();
      expect(record?.expiresAt).toBe(Math.floor(world.clock.now() / 1000) + 30 * 86_400);
      const [failed] = world.publisher.ofType('SessionFailed');
      expect(SessionFailedV1.parse(failed)).toMatchObject({ reason, identifier });
    },
  );

  it('retries a refused token rather than failing the match: the token is at fault, not the match', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unauthorized'));

    const attempt = placeBody(bodyOf(aMatchFound()), world.deps);

    await expect(attempt).rejects.toMatchObject({
      name: 'TransientPlacementError',
      reason: 'unauthorized',
    });
    expect(world.store.peek('match-0001')?.state).toBe('PLACING');
    expect(world.publisher.events).toHaveLength(0);
  });

  it('fails an image Gameye does not know when listing its locations', async () => {
    const world = aWorld({ available: {} });

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'unknown-image-or-location',
      identifier: expect.any(String),
    });
    expect(world.gameye.calls.startSession).toBe(0);
  });

  it('fails with the ranking when no region is within the cap and the policy is fail', async () => {
    const world = aWorld({ config: { latency: { capMs: 20, whenNoneMeetsCap: 'fail' } } });

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'none-within-cap' });
    expect(world.publisher.ofType('SessionFailed')[0]?.ranking?.dropped).toContainEqual(
      expect.objectContaining({ region: 'eu-west', reason: 'over-cap' }),
    );
    expect(world.gameye.calls.startSession).toBe(0);
  });

  it('rejects overrides outside the profile allow list, naming each, before claiming', async () => {
    const world = aWorld();
    const event = aMatchFound({
      env: { MAP: 'dust', SECRET: 'x', MATCH_ID: 'spoof' },
      labels: { 'bridge-match-id': 'spoof' },
      args: ['--cheat'],
    });

    const outcome = await placeBody(bodyOf(event), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'override-not-allowed', recorded: false });
    expect(outcome.kind === 'failed' && outcome.message).toBe(
      'profile arena does not allow overriding env.SECRET, env.MATCH_ID, labels.bridge-match-id, args',
    );
    expect(world.store.peek('match-0001')).toBeUndefined();
    expect(world.publisher.ofType('SessionFailed')[0]).toMatchObject({ reason: 'override-not-allowed' });
  });

  it('rejects an unknown profile with SessionFailed', async () => {
    const world = aWorld();

    const outcome = await placeBody(bodyOf(aMatchFound({ profile: 'toString' })), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'unknown-profile' });
    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
  });

  it('answers an invalid event naming every bad field, with its salvaged match id', async () => {
    const world = aWorld();
    const body = bodyOf({
      ...aMatchFound(),
      profile: 7,
      players: [{ id: 'alice', latencies: { 'eu-west-1': -1 } }],
    });

    const outcome = await placeBody(body, world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid-event', matchId: 'match-0001' });
    const [failed] = world.publisher.ofType('SessionFailed');
    expect(failed?.sessionId).toBe(sessionIdFor('match-0001', NAMESPACE));
    expect(failed?.message).toContain('profile:');
    expect(failed?.message).toContain('players[0].latencies.eu-west-1:');
  });

  it('publishes nothing for a body without a usable match id', async () => {
    const world = aWorld();

    const outcome = await placeBody('not json', world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid-event', matchId: undefined });
    expect(world.publisher.events).toEqual([]);
  });

  it('fails rather than serve a session that Gameye reports as exited after a 409', async () => {
    const world = aWorld();
    const id = sessionIdFor('match-0001', NAMESPACE);
    await world.gameye.startSession({ id, location: 'eu-west', image: 'arena-server', env: {}, labels: {} });
    const existing = world.gameye.sessions.get(id);
    if (existing) existing.status = 'exited';

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'session-ended-before-ready' });
  });

  it('answers a redelivered failed match from the record without calling Gameye again', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('quota-exhausted'));
    await placeBody(bodyOf(aMatchFound()), world.deps);

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'quota-exhausted', recorded: true });
    expect(world.gameye.calls.startSession).toBe(1);
    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
  });

  it('republishes SessionFailed when the crash came before it was recorded as published', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('quota-exhausted'));
    world.publisher.failOnce('before');
    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toThrow(TransientPlacementError);

    await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
    expect(world.store.peek('match-0001')).toMatchObject({
      state: 'FAILED',
      publishedAt: expect.any(String),
    });
  });
});

describe('placeMatch transient failures', () => {
  it('waits, writing and announcing nothing, while Gameye offers no region for the image (a full fleet)', async () => {
    const world = aWorld();
    world.gameye.setAvailable('arena-server', []);

    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toMatchObject({
      name: 'TransientPlacementError',
      reason: 'no-capacity',
    });
    expect(world.store.peek('match-0001')).toBeUndefined();
    expect(world.publisher.events).toEqual([]);

    world.gameye.setAvailable('arena-server', ['eu-west']);
    world.clock.advance(60_000); // past the availability cache
    expect(await placeBody(bodyOf(aMatchFound()), world.deps)).toMatchObject({
      kind: 'placed',
      region: 'eu-west',
    });
  });

  it('records a full fleet on the last delivery as no-capacity, which a later delivery places afresh', async () => {
    const world = aWorld();
    world.gameye.setAvailable('arena-server', []);

    const failed = await placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });
    expect(failed).toMatchObject({ kind: 'failed', reason: 'no-capacity', recorded: true });
    expect(world.publisher.ofType('SessionFailed')).toMatchObject([{ reason: 'no-capacity' }]);

    world.gameye.setAvailable('arena-server', ['na-east']);
    world.clock.advance(60_000);
    const redriven = await placeBody(bodyOf(aMatchFound()), world.deps);
    expect(redriven).toMatchObject({ kind: 'placed', region: 'na-east' });
    expect(world.store.peek('match-0001')).toMatchObject({ state: 'READY' });
    expect(world.publisher.ofType('SessionReady')).toHaveLength(1);
  });

  it('still fails for good a match no region could ever host (no alias for any of its regions)', async () => {
    const world = aWorld();
    const event = aMatchFound({ players: [{ id: 'p', latencies: { atlantis: 10 } }] });

    const outcome = await placeBody(bodyOf(event), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'no-eligible-region' });
  });

  it('throws TransientPlacementError when every ranked region answers 420, and places once capacity returns', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('region-full')).script('na-east', gameyeError('region-full'));
    const body = bodyOf(aMatchFound());

    await expect(placeBody(body, world.deps)).rejects.toMatchObject({ reason: 'no-capacity' });
    await expect(placeBody(body, world.deps)).rejects.toMatchObject({ reason: 'no-capacity' });
    world.clock.advance(5_001);
    const outcome = await placeBody(body, world.deps);

    expect(outcome).toMatchObject({ kind: 'placed', region: 'eu-west' });
    expect(world.gameye.sessions.size).toBe(1);
  });

  it('does not try a region without enough Lambda time left', async () => {
    const world = aWorld();

    const attempt = placeBody(bodyOf(aMatchFound()), world.deps, { remainingTimeMs: () => 2_000 });

    await expect(attempt).rejects.toMatchObject({ name: 'TransientPlacementError', reason: 'deadline' });
    expect(world.gameye.calls.startSession).toBe(0);
    // Nothing is claimed before the first attempt: the retry starts from a clean slate.
    expect(world.store.peek('match-0001')).toBeUndefined();
  });

  it('stops trying further regions when the placement deadline comes near', async () => {
    const world = aWorld({ config: { placementDeadlineMs: 10_000 } });
    world.gameye.script('eu-west', gameyeError('region-full'));
    world.gameye.onStart = () => world.clock.advance(8_000);

    const attempt = placeBody(bodyOf(aMatchFound()), world.deps);

    await expect(attempt).rejects.toMatchObject({ reason: 'deadline' });
    expect(world.gameye.starts.map((s) => s.location)).toEqual(['eu-west']);
  });

  it('treats a lost claim race as a transient concurrent update', async () => {
    const world = aWorld();
    world.store.failOnce('claim', 'before', new AlreadyClaimedError('taken', { matchId: 'match-0001' }));

    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toMatchObject({
      reason: 'concurrent-update',
      cause: expect.any(AlreadyClaimedError),
    });
  });

  it('retries a Gameye outage while listing locations rather than failing the match', async () => {
    const world = aWorld();
    world.gameye.failNext('availableLocations', gameyeError('unavailable'));

    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toMatchObject({
      reason: 'gameye-unavailable',
    });
    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'placed' });
  });
});

describe('placeMatch on the last delivery SQS makes', () => {
  it('records FAILED (retries-exhausted) and publishes SessionFailed when Gameye is still down', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unavailable'));
    world.gameye.script('na-east', gameyeError('unavailable'));

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'retries-exhausted', recorded: true });
    expect(world.store.peek('match-0001')).toMatchObject({
      state: 'FAILED',
      failure: { reason: 'retries-exhausted' },
      publishedAt: expect.any(String),
    });
    expect(world.publisher.ofType('SessionFailed')).toHaveLength(1);
  });

  it('adopts the session an earlier POST started instead of failing the match', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', 'created-then-timeout');
    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toThrow();
    world.gameye.script('eu-west', gameyeError('unavailable'));

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });

    expect(outcome).toMatchObject({ kind: 'placed', via: 'adopted' });
    expect(world.gameye.sessions.size).toBe(1);
    expect(world.store.peek('match-0001')?.state).toBe('READY');
  });

  it('records a refused token as unauthorized, and places the match when it is delivered again', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unauthorized'));
    const failed = await placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });
    expect(failed).toMatchObject({ kind: 'failed', reason: 'unauthorized' });

    // The operator fixes the token and redrives the message from the DLQ.
    const placed = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(placed).toMatchObject({ kind: 'placed', region: 'eu-west' });
    expect(world.store.peek('match-0001')).toMatchObject({ state: 'READY', publishedAt: expect.any(String) });
    expect(world.store.peek('match-0001')?.failure).toBeUndefined();
    expect(world.gameye.sessions.size).toBe(1);
  });

  it('still records the failure when Gameye cannot even describe the pending attempt, and the redrive resumes it', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', 'created-then-timeout');
    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toThrow();
    world.gameye.script('eu-west', gameyeError('unavailable'));
    world.gameye.failNext('describeSession', gameyeError('unavailable'));

    const failed = await placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });

    expect(failed).toMatchObject({ kind: 'failed', reason: 'retries-exhausted' });
    expect(world.store.peek('match-0001')?.attempts.at(-1)).toMatchObject({
      region: 'eu-west',
      outcome: 'pending',
    });
    // The operator redrives once Gameye is back: the pending region is re-POSTed (409) and adopted.
    const placed = await placeBody(bodyOf(aMatchFound()), world.deps);
    expect(placed).toMatchObject({ kind: 'placed', via: 'adopted', region: 'eu-west' });
    expect(world.gameye.sessions.size).toBe(1);
  });

  it('leaves the match to the other delivery at work on it, even on the last delivery', async () => {
    const world = aWorld();
    world.store.failOnce('claim', 'before', new AlreadyClaimedError('taken', { matchId: 'match-0001' }));

    const attempt = placeBody(bodyOf(aMatchFound()), world.deps, { finalDelivery: true });

    await expect(attempt).rejects.toMatchObject({ reason: 'concurrent-update' });
    expect(world.publisher.events).toHaveLength(0);
  });

  it('starts no server for a match whose MatchEnded came first', async () => {
    const world = aWorld();
    world.store.seed(
      newEndedBeforePlacedRecord({
        matchId: 'match-0001',
        sessionId: sessionIdFor('match-0001', NAMESPACE),
        now: world.clock.now(),
        retentionDays: 30,
      }),
    );

    const outcome = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(outcome).toMatchObject({ kind: 'failed', reason: 'ended-before-placed', repeated: true });
    expect(world.gameye.calls.startSession).toBe(0);
    expect(world.publisher.events).toHaveLength(0);
  });

  it('does not retry a match that failed for a reason of its own', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unknown-image-or-location'));
    await placeBody(bodyOf(aMatchFound()), world.deps);

    const again = await placeBody(bodyOf(aMatchFound()), world.deps);

    expect(again).toMatchObject({ kind: 'failed', reason: 'unknown-image-or-location' });
    expect(world.gameye.starts).toHaveLength(1);
  });
});
