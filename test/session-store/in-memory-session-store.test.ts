/** The in-memory fake the placement and reaper unit tests stand on, held to the DynamoDB adapters' contract. */
import { describe, expect, it } from 'vitest';
import { toEnded, toEnding, toPublished, withPlayerTracking } from '../../lambdas/core/session-record.ts';
import { InMemorySessionStore } from '../fakes/session-store.ts';
import { CONTRACT_SHARDS, CONTRACT_START, describeSessionStoreContract, placing, ready } from './contract.ts';

describeSessionStoreContract('InMemorySessionStore', async () => {
  const store = new InMemorySessionStore({ activeShards: CONTRACT_SHARDS });
  return { store, index: store };
});

describe('InMemorySessionStore, beyond the contract,', () => {
  it('logs each write by the step it is, placement and reaper alike', async () => {
    const store = new InMemorySessionStore();
    await store.claim(placing('m-1'));
    await store.transition(ready('m-1'), { state: 'PLACING', version: 2 });
    const published = toPublished(ready('m-1'), CONTRACT_START + 2_000);
    await store.transition(published, { state: 'READY', version: 3 });
    const tracked = withPlayerTracking(
      published,
      { firstPlayerAt: new Date(CONTRACT_START + 3_000).toISOString() },
      CONTRACT_START + 3_000,
    );
    await store.transition(tracked, { state: 'READY', version: 4 });
    const ending = toEnding(tracked, 'idle', CONTRACT_START + 4_000);
    await store.transition(ending, { state: 'READY', version: 5 });
    await store.transition(toEnded(ending, CONTRACT_START + 5_000, 7), { state: 'ENDING', version: 6 });

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
    await store.claim(placing('m-1'));
    store.failOnce('ready', 'after');

    await expect(store.transition(ready('m-1'), { state: 'PLACING', version: 2 })).rejects.toThrow(
      'injected crash at ready',
    );

    expect(store.peek('m-1')?.state).toBe('READY');
  });

  it('refuses a write the core must never make, such as skipping a version', async () => {
    const store = new InMemorySessionStore();
    await store.claim(placing('m-1'));
    const skipped = { ...ready('m-1'), version: 9 };

    await expect(store.transition(skipped, { state: 'PLACING', version: 2 })).rejects.toThrow(TypeError);
  });

  it('answers peek with undefined and stored with an error for a match it has no record of', () => {
    const store = new InMemorySessionStore();

    expect(store.peek('nobody')).toBeUndefined();
    expect(() => store.stored('nobody')).toThrow('no stored record for match nobody');
  });
});
