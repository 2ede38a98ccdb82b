/**
 * The `SessionStore` port's contract, with the active-sessions index it feeds, as one suite
 * any implementation must pass: the in-memory fake the unit tests stand on, and the DynamoDB
 * adapters on dynalite. Both passing is what lets a unit test's verdict stand for DynamoDB.
 *
 * Every case writes only records the core's own transition functions produce, so it tests
 * the store, not the rules of `session-record.ts`.
 */

import { describe, expect, it } from 'vitest';
import { AlreadyClaimedError, StateConflictError } from '../../lambdas/core/errors.ts';
import type { SessionStore } from '../../lambdas/core/ports.ts';
import { ActiveEntry, type ActiveIndex } from '../../lambdas/core/reaper/active-entry.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import {
  newEndedBeforePlacedRecord,
  newPlacingRecord,
  type SessionRecord,
  toEnded,
  toEnding,
  toFailed,
  toReady,
  withAttempt,
  withPlayerTracking,
} from '../../lambdas/core/session-record.ts';
import { aPlaced } from '../fixtures/placed.ts';

/** Shards the records are spread over; the DynamoDB index must be told the same count. */
export const CONTRACT_SHARDS = 8;

export interface ContractSubject {
  readonly store: SessionStore;
  readonly index: ActiveIndex;
}

const NAMESPACE = '3b241101-e2bb-4255-8caf-4136c566a962';
/** When the contract's records are created; every later step is a few ms after. */
export const CONTRACT_START = Date.parse('2030-01-01T00:00:00.000Z');
const RETENTION_DAYS = 7;

/** The PLACING record a claim writes, its first attempt pending (version 2). */
export function placing(matchId: string): SessionRecord {
  const record = newPlacingRecord({
    matchId,
    sessionId: sessionIdFor(matchId, NAMESPACE),
    profile: 'arena',
    image: 'arena-server',
    players: [{ id: 'p1', team: 'red' }, { id: 'p2' }],
    activeShards: CONTRACT_SHARDS,
    now: CONTRACT_START,
  });
  return withAttempt(record, 'eu-west', CONTRACT_START);
}

/** {@link placing}'s record once its session runs (version 3). */
export function ready(matchId: string): SessionRecord {
  return toReady(placing(matchId), aPlaced({ region: 'eu-west' }), CONTRACT_START + 1_000);
}

function failed(matchId: string): SessionRecord {
  return toFailed(
    placing(matchId),
    { reason: 'no-eligible-region', message: 'no region may host arena-server' },
    undefined,
    CONTRACT_START + 1_000,
    RETENTION_DAYS,
  );
}

function ended(matchId: string): SessionRecord {
  return toEnded(
    toEnding(ready(matchId), 'idle', CONTRACT_START + 2_000),
    CONTRACT_START + 3_000,
    RETENTION_DAYS,
  );
}

const expectedOf = (r: SessionRecord) => ({ state: r.state, version: r.version });

/**
 * Define the suite for one implementation. `fresh` gives an empty store and the index over
 * the same records, once per test.
 */
export function describeSessionStoreContract(name: string, fresh: () => Promise<ContractSubject>): void {
  describe(`${name} honours the SessionStore contract:`, () => {
    it('get answers undefined for a match it has no record of', async () => {
      const { store } = await fresh();

      await expect(store.get('nobody')).resolves.toBeUndefined();
    });

    it('claim creates the record and get reads it back whole', async () => {
      const { store } = await fresh();
      const record = placing('m-claim');

      await store.claim(record);

      await expect(store.get('m-claim')).resolves.toEqual(record);
    });

    it('claim throws AlreadyClaimedError for a match that has a record, and keeps the first', async () => {
      const { store } = await fresh();
      const first = placing('m-twice');
      await store.claim(first);

      const second = store.claim(
        newEndedBeforePlacedRecord({
          matchId: first.matchId,
          sessionId: first.sessionId,
          now: CONTRACT_START,
          retentionDays: 1,
        }),
      );

      await expect(second).rejects.toBeInstanceOf(AlreadyClaimedError);
      await expect(second).rejects.toMatchObject({ matchId: 'm-twice' });
      await expect(store.get('m-twice')).resolves.toEqual(first);
    });

    it('lets exactly one of two simultaneous claims of a match win', async () => {
      const { store } = await fresh();
      const record = placing('m-race');

      const outcomes = await Promise.allSettled([store.claim(record), store.claim(record)]);

      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(AlreadyClaimedError);
    });

    it('transition replaces the record when it is in the expected state at the expected version', async () => {
      const { store } = await fresh();
      const before = placing('m-move');
      await store.claim(before);
      const next = ready('m-move');

      await store.transition(next, expectedOf(before));

      await expect(store.get('m-move')).resolves.toEqual(next);
    });

    it('transition throws StateConflictError at a stale version and leaves the record as it was', async () => {
      const { store } = await fresh();
      const claimed = placing('m-stale');
      await store.claim(claimed);
      const current = ready('m-stale');
      await store.transition(current, expectedOf(claimed));

      // A second writer that read the PLACING record before the first wrote READY.
      const late = store.transition(failed('m-stale'), expectedOf(claimed));

      await expect(late).rejects.toBeInstanceOf(StateConflictError);
      await expect(late).rejects.toMatchObject({ matchId: 'm-stale' });
      await expect(store.get('m-stale')).resolves.toEqual(current);
    });

    it('transition throws StateConflictError in another state at the same version', async () => {
      const { store } = await fresh();
      const claimed = placing('m-state');
      await store.claim(claimed);

      const wrongState = store.transition(ready('m-state'), { state: 'READY', version: claimed.version });

      await expect(wrongState).rejects.toBeInstanceOf(StateConflictError);
      await expect(store.get('m-state')).resolves.toEqual(claimed);
    });

    it('transition throws StateConflictError for a match with no record, and creates none', async () => {
      const { store } = await fresh();

      const orphan = store.transition(ready('m-none'), { state: 'PLACING', version: 2 });

      await expect(orphan).rejects.toBeInstanceOf(StateConflictError);
      await expect(store.get('m-none')).resolves.toBeUndefined();
    });

    it('lets exactly one of two simultaneous transitions from the same version win', async () => {
      const { store } = await fresh();
      const claimed = placing('m-both');
      await store.claim(claimed);

      const outcomes = await Promise.allSettled([
        store.transition(ready('m-both'), expectedOf(claimed)),
        store.transition(failed('m-both'), expectedOf(claimed)),
      ]);

      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(StateConflictError);
      const won = outcomes[0]?.status === 'fulfilled' ? 'READY' : 'FAILED';
      expect((await store.get('m-both'))?.state).toBe(won);
    });

    it('transition writes the record whole: attributes the next record lacks are gone', async () => {
      const { store } = await fresh();
      await store.claim(placing('m-whole'));
      const playing = ready('m-whole');
      await store.transition(playing, expectedOf(placing('m-whole')));
      const idle = withPlayerTracking(
        playing,
        {
          firstPlayerAt: new Date(CONTRACT_START + 1_500).toISOString(),
          idleSince: new Date(CONTRACT_START + 1_800).toISOString(),
        },
        CONTRACT_START + 1_800,
      );
      await store.transition(idle, expectedOf(playing));

      // A player is back: the tracking write carries no idleSince.
      const back = withPlayerTracking(idle, {}, CONTRACT_START + 1_900);
      await store.transition(back, expectedOf(idle));

      const read = await store.get('m-whole');
      expect(read).toEqual(back);
      expect(read).not.toHaveProperty('idleSince');
      expect(read?.firstPlayerAt).toBe(idle.firstPlayerAt);
    });

    it('hands out copies: changing a record read or written changes nothing stored', async () => {
      const { store } = await fresh();
      const record = placing('m-copy');
      await store.claim(record);

      record.players.push({ id: 'intruder' });
      const read = await store.get('m-copy');
      read?.players.push({ id: 'intruder' });

      expect((await store.get('m-copy'))?.players).toEqual([{ id: 'p1', team: 'red' }, { id: 'p2' }]);
    });

    it('the index lists exactly the active records: PLACING, READY and ENDING, never ENDED or FAILED', async () => {
      const { store, index } = await fresh();
      const active = ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-7', 'a-8', 'a-9'];
      for (const id of active) await store.claim(placing(id));
      for (const id of active.slice(0, 6)) await store.transition(ready(id), expectedOf(placing(id)));
      for (const id of active.slice(0, 3))
        await store.transition(toEnding(ready(id), 'idle', CONTRACT_START + 2_000), expectedOf(ready(id)));
      await store.claim(failed('gone-failed'));
      await store.claim(placing('gone-ended'));
      await store.transition(ready('gone-ended'), expectedOf(placing('gone-ended')));
      await store.transition(
        toEnding(ready('gone-ended'), 'idle', CONTRACT_START + 2_000),
        expectedOf(ready('gone-ended')),
      );
      await store.transition(
        ended('gone-ended'),
        expectedOf(toEnding(ready('gone-ended'), 'idle', CONTRACT_START + 2_000)),
      );

      const listed = await index.listActive();

      expect(listed.map((r) => r.matchId).sort()).toEqual(active);
      expect(new Set(listed.map((r) => r.state))).toEqual(new Set(['PLACING', 'READY', 'ENDING']));
      const readRecord = await store.get('a-4');
      // The index answers the decision attributes only, with the stored values.
      expect(listed.find((r) => r.matchId === 'a-4')).toEqual(ActiveEntry.parse(readRecord));
    });

    it('the index is read over its shard count, and any one shard can still be read', async () => {
      const { store, index } = await fresh();
      // Written when the count was higher: a shard the index is no longer read over.
      const beyond = `active#${CONTRACT_SHARDS + 3}`;
      await store.claim({ ...placing('m-beyond'), activeShard: beyond });
      await store.claim(placing('m-within'));

      expect((await index.listActive()).map((r) => r.matchId)).toEqual(['m-within']);
      const read: string[] = [];
      await index.readShard(beyond, (page) => read.push(...page.map((r) => r.matchId)));
      expect(read).toEqual(['m-beyond']);
      const within = (await store.get('m-within'))?.activeShard ?? expect.unreachable();
      const inShard: string[] = [];
      await index.readShard(within, (page) => inShard.push(...page.map((r) => r.matchId)));
      expect(inShard).toEqual(['m-within']);
    });

    it('a record that ends leaves the index in the same write', async () => {
      const { store, index } = await fresh();
      await store.claim(placing('m-leaves'));
      await store.transition(ready('m-leaves'), expectedOf(placing('m-leaves')));
      const ending = toEnding(ready('m-leaves'), 'idle', CONTRACT_START + 2_000);
      await store.transition(ending, expectedOf(ready('m-leaves')));
      expect((await index.listActive()).map((r) => r.matchId)).toEqual(['m-leaves']);

      await store.transition(toEnded(ending, CONTRACT_START + 3_000, RETENTION_DAYS), expectedOf(ending));

      await expect(index.listActive()).resolves.toEqual([]);
      expect(await store.get('m-leaves')).not.toHaveProperty('activeShard');
    });
  });
}
