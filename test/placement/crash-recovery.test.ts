import { describe, expect, it } from 'vitest';
import { TransientPlacementError } from '../../lambdas/core/errors.ts';
import { gameyeError } from '../fakes/gameye.ts';
import type { StoreStep } from '../fakes/session-store.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { placeBody } from '../fixtures/place-body.ts';
import { aWorld, type World } from '../fixtures/world.ts';

type Crash = (world: World) => void;

const storeCrash =
  (step: StoreStep, when: 'before' | 'after'): Crash =>
  (world) =>
    world.store.failOnce(step, when);

/**
 * One crash per gap between two steps of the happy path, before and after each side effect:
 * claim (with the first attempt) → POST /session → publish SessionReady → record READY and
 * published in one write.
 */
const CRASHES: ReadonlyArray<readonly [string, Crash]> = [
  ['claiming', storeCrash('claim', 'before')],
  ['after the claim', storeCrash('claim', 'after')],
  ['POST /session, not landed', (w) => w.gameye.script('eu-west', gameyeError('unavailable', 'TIMEOUT'))],
  ['after POST /session landed', (w) => w.gameye.script('eu-west', 'created-then-timeout')],
  ['publishing', (w) => w.publisher.failOnce('before')],
  ['after publishing', (w) => w.publisher.failOnce('after')],
  ['marking READY', storeCrash('ready', 'before')],
  ['after marking READY', storeCrash('ready', 'after')],
];

describe('placeMatch after a crash', () => {
  it.each(CRASHES)('recovers on redelivery from a crash at %s with exactly one session', async (_, crash) => {
    // Arrange
    const world = aWorld();
    crash(world);
    const body = bodyOf(aMatchFound());

    // Act
    const first = placeBody(body, world.deps);
    await expect(first).rejects.toBeInstanceOf(TransientPlacementError);
    await placeBody(body, world.deps);

    // Assert
    expect(world.gameye.sessions.size).toBe(1);
    const ready = world.publisher.ofType('SessionReady');
    expect(ready.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ready.map((e) => e.sessionId)).size).toBe(1);
    expect(ready[0]?.host).toBe('eu-west.hosts.test');
    expect(world.store.peek('match-0001')).toMatchObject({ state: 'READY', publishedAt: expect.any(String) });
  });

  it('absorbs a third delivery after the recovery without another event', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', 'created-then-timeout');
    const body = bodyOf(aMatchFound());
    await expect(placeBody(body, world.deps)).rejects.toThrow();
    await placeBody(body, world.deps);

    const outcome = await placeBody(body, world.deps);

    expect(outcome).toMatchObject({ kind: 'duplicate', republished: false });
    expect(world.publisher.events).toHaveLength(1);
  });

  it('re-POSTs to the pending region first even when the ranking has changed', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', 'created-then-timeout');
    const body = bodyOf(aMatchFound());
    await expect(placeBody(body, world.deps)).rejects.toThrow();
    world.clock.advance(10_000);
    world.gameye.setAvailable('arena-server', ['na-east']);

    const outcome = await placeBody(body, world.deps);

    expect(world.gameye.starts.map((s) => s.location)).toEqual(['eu-west', 'eu-west']);
    expect(outcome).toMatchObject({ kind: 'placed', via: 'adopted', region: 'eu-west' });
  });

  it('adopts instead of failing when a permanent error follows a POST whose fate was unknown', async () => {
    const world = aWorld();
    world.gameye.script(
      'eu-west',
      'created-then-timeout',
      gameyeError('unknown-image-or-location', 'LOCATION_NOT_FOUND'),
    );
    const body = bodyOf(aMatchFound());
    await expect(placeBody(body, world.deps)).rejects.toThrow();

    const outcome = await placeBody(body, world.deps);

    expect(outcome).toMatchObject({ kind: 'placed', via: 'adopted', region: 'eu-west' });
    expect(world.gameye.calls.describeSession).toBe(1);
    expect(world.publisher.ofType('SessionFailed')).toEqual([]);
  });

  it('keeps the record retryable when the crash leaves a pending attempt', async () => {
    const world = aWorld();
    world.gameye.script('eu-west', gameyeError('unavailable', 'UNAVAILABLE'));

    await expect(placeBody(bodyOf(aMatchFound()), world.deps)).rejects.toMatchObject({
      name: 'TransientPlacementError',
      reason: 'gameye-unavailable',
      matchId: 'match-0001',
      identifier: 'gid-unavailable-UNAVAILABLE',
    });

    expect(world.store.peek('match-0001')).toMatchObject({
      state: 'PLACING',
      activeShard: expect.stringMatching(/^active#[0-7]$/),
      attempts: [{ region: 'eu-west', outcome: 'pending' }],
    });
  });
});
