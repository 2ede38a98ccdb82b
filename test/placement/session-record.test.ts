import { describe, expect, it } from 'vitest';
import { StateConflictError } from '../../lambdas/core/errors.ts';
import {
  activeShardFor,
  canTransition,
  inReadShard,
  newPlacingRecord,
  SessionRecord,
  toFailed,
  toPublished,
  toReady,
  withReadShard,
} from '../../lambdas/core/session-record.ts';
import { TtlCache } from '../../lambdas/core/ttl-cache.ts';
import { ManualClock } from '../fakes/clock.ts';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const ranking = {
  policy: 'latency' as const,
  candidates: [],
  candidateCount: 0,
  chosenRank: null,
  dropped: [],
  droppedCounts: {},
};

function aPlacingRecord() {
  return newPlacingRecord({
    matchId: 'm-1',
    sessionId: '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    profile: 'arena',
    image: 'arena-server',
    players: [{ id: 'alice' }],
    activeShards: 8,
    now: NOW,
  });
}

describe('session record', () => {
  it('allows only the transitions of the lifecycle', () => {
    expect(canTransition('PLACING', 'READY')).toBe(true);
    expect(canTransition('READY', 'PLACING')).toBe(false);
    expect(canTransition('FAILED', 'READY')).toBe(false);
    expect(canTransition('ENDED', 'ENDED')).toBe(false);
  });

  it('refuses to compute an illegal transition', () => {
    const failed = toFailed(
      aPlacingRecord(),
      { reason: 'quota-exhausted', message: 'x' },
      undefined,
      NOW,
      30,
    );

    expect(() =>
      toReady(failed, { region: 'r', host: 'h', ports: [], ranking, via: 'started' }, NOW),
    ).toThrow(StateConflictError);
  });

  it('keeps an active record in the sparse index and takes a failed one out, with a TTL', () => {
    const placing = aPlacingRecord();
    const failed = toFailed(placing, { reason: 'quota-exhausted', message: 'x' }, undefined, NOW, 30);

    expect(placing.activeShard).toBe(activeShardFor('m-1', 8));
    expect(failed.activeShard).toBeUndefined();
    expect(failed.expiresAt).toBe(NOW / 1000 + 30 * 86_400);
    expect(SessionRecord.safeParse(failed).success).toBe(true);
  });

  it('bumps the version on every write', () => {
    const ready = toReady(
      aPlacingRecord(),
      { region: 'r', host: 'h', ports: [], ranking, via: 'started' },
      NOW,
    );

    expect([ready.version, toPublished(ready, NOW).version]).toEqual([2, 3]);
  });

  it('rejects a READY item without where to connect', () => {
    const result = SessionRecord.safeParse({ ...aPlacingRecord(), state: 'READY' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['region', 'host', 'ports', 'readyAt']);
  });

  it('spreads matches over every shard', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => activeShardFor(`match-${i}`, 8)));

    expect(shards.size).toBe(8);
  });
});

describe('the shard a record sits in', () => {
  it.each([
    ['active#0', 8, true],
    ['active#7', 8, true],
    ['active#8', 8, false],
    ['active#12', 8, false],
    ['active#12', 16, true],
    ['active#x', 8, false],
    ['elsewhere#1', 8, false],
    [undefined, 8, false],
  ] as const)('%s read over %i shards: shown by the index = %s', (activeShard, shards, shown) => {
    const { activeShard: _none, ...record } = aPlacingRecord();
    const placed = activeShard === undefined ? record : { ...record, activeShard };
    expect(inReadShard(placed, shards)).toBe(shown);
  });

  it('moves a record into the shard its match hashes to, keeping its state and bumping its version', () => {
    const record = { ...aPlacingRecord(), activeShard: 'active#12' };
    const moved = withReadShard(record, 8, NOW + 1_000);
    expect(moved).toMatchObject({ state: 'PLACING', version: record.version + 1 });
    expect(moved.activeShard).toBe(activeShardFor('m-1', 8));
    expect(inReadShard(moved, 8)).toBe(true);
  });
});

describe('TtlCache', () => {
  it('forgets an entry when its TTL has passed and does not cache a failed load', async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<string, number>({ clock, ttlMs: 100 });
    cache.set('a', 1);

    clock.advance(100);
    const failed = cache.getOrLoad('b', () => Promise.reject(new Error('down')));

    expect(cache.get('a')).toBeUndefined();
    await expect(failed).rejects.toThrow('down');
    expect(await cache.getOrLoad('b', async () => 2)).toBe(2);
  });

  it('answers concurrent misses of one key with a single load', async () => {
    const cache = new TtlCache<string, number>({ clock: new ManualClock(), ttlMs: 1_000 });
    let loads = 0;
    let release: (value: number) => void = () => {};
    const load = () => {
      loads += 1;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };

    const both = Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    release(7);

    expect(await both).toEqual([7, 7]);
    expect(loads).toBe(1);
    expect(cache.get('k')).toBe(7);
  });

  it('evicts the oldest entry beyond its size bound', () => {
    const cache = new TtlCache<string, number>({ clock: new ManualClock(), ttlMs: 1_000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);

    cache.set('c', 3);

    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });
});
