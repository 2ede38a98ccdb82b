/** The in-memory fake the placement and reaper unit tests stand on, held to the DynamoDB adapters' contract. */
import { describe, expect, it } from 'vitest';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import {
  newPlacingRecord,
  type SessionRecord,
  toEnded,
  toEnding,
  toPublished,
  toReady,
  withAttempt,
  withPlayerTracking,
} from '../../lambdas/core/session-record.ts';
import { InMemorySessionStore } from '../fakes/session-store.ts';
import { describeSessionStoreContract } from './contract.ts';

describeSessionStoreContract('InMemorySessionStore', async () => {
  const store = new InMemorySessionStore();
  return { store, index: store };
});

describe('InMemorySessionStore, beyond the contract,', () => {
  const NAMESPACE = '3b241101-e2bb-4255-8caf-4136c566a962';
  const T0 = Date.parse('2030-01-01T00:00:00.000Z');
  const placing = (): SessionRecord =>
    withAttempt(
      newPlacingRecord({
        matchId: 'm-1',
        sessionId: sessionIdFor('m-1', NAMESPACE),
        profile: 'arena',
        image: 'arena-server',
        players: [],
        activeShards: 4,
        now: T0,
      }),
      'eu-west',
      T0,
    );
  const ready = (): SessionRecord =>
    toReady(
      placing(),
      {
        region: 'eu-west',
        host: '10.0.0.1',
        ports: [{ protocol: 'udp', container: 7777, host: 24011 }],
        ranking: { policy: 'preference', chosenRank: 0, candidates: [], dropped: [] },
        via: 'started',
      },
      T0 + 1,
    );

  it('logs each write by the step it is, placement and reaper alike', async () => {
    const store = new InMemorySessionStore();
    await store.claim(placing());
    await store.transition(ready(), { state: 'PLACING', version: 2 });
    const published = toPublished(ready(), T0 + 2);
    await store.transition(published, { state: 'READY', version: 3 });
    const tracked = withPlayerTracking(published, { firstPlayerAt: new Date(T0 + 3).toISOString() }, T0 + 3);
    await store.transition(tracked, { state: 'READY', version: 4 });
    const ending = toEnding(tracked, 'idle', T0 + 4);
    await store.transition(ending, { state: 'READY', version: 5 });
    await store.transition(toEnded(ending, T0 + 5, 7), { state: 'ENDING', version: 6 });

    expect(store.writes).toEqual([
      'claim:PLACING@2',
      'ready:READY@3',
      'published:READY@4',
      'track:READY@5',
      'ending:ENDING@6',
      'ended:ENDED@7',
    ]);
  });

  it('crashes once at the named step, after the write landed', async () => {
    const store = new InMemorySessionStore();
    await store.claim(placing());
    store.failOnce('ready', 'after');

    await expect(store.transition(ready(), { state: 'PLACING', version: 2 })).rejects.toThrow(
      'injected crash at ready',
    );

    expect(store.peek('m-1')?.state).toBe('READY');
  });

  it('refuses a write the core must never make, such as skipping a version', async () => {
    const store = new InMemorySessionStore();
    await store.claim(placing());
    const skipped = { ...ready(), version: 9 };

    await expect(store.transition(skipped, { state: 'PLACING', version: 2 })).rejects.toThrow(TypeError);
  });

  it('answers peek with undefined and stored with an error for a match it has no record of', () => {
    const store = new InMemorySessionStore();

    expect(store.peek('nobody')).toBeUndefined();
    expect(() => store.stored('nobody')).toThrow('no stored record for match nobody');
  });
});
