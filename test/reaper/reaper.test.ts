import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ACTIVE_SHARDS, parseBridgeConfig } from '../../lambdas/core/config.ts';
import { StateConflictError } from '../../lambdas/core/errors.ts';
import { stopEndedMatch } from '../../lambdas/core/match-ended.ts';
import type { Liveness } from '../../lambdas/core/ports.ts';
import { archiveLayout, pathSlug } from '../../lambdas/core/reaper/archive.ts';
import { MAX_DESCRIBES_PER_RUN } from '../../lambdas/core/reaper/describe-unclear.ts';
import { endMatch } from '../../lambdas/core/reaper/end-match.ts';
import { MAX_CUT_OFF_RUNS } from '../../lambdas/core/reaper/finish-ending.ts';
import {
  type Decision,
  decide,
  isOrphan,
  type LiveStatus,
  mayBeRunning,
  type PolicyRecord,
} from '../../lambdas/core/reaper/lifecycle-policy.ts';
import { LiveView } from '../../lambdas/core/reaper/live-view.ts';
import type { ReaperDeps } from '../../lambdas/core/reaper/reaper-context.ts';
import { runReaper } from '../../lambdas/core/reaper/run-reaper.ts';
import { SUSPECT_LOCATION_RECORDS } from '../../lambdas/core/reaper/triage.ts';
import { unreadShardFor } from '../../lambdas/core/reaper/unread-shards.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import {
  activeShardFor,
  newPlacingRecord,
  type SessionRecord,
  toEnding,
  toReady,
} from '../../lambdas/core/session-record.ts';
import { STOP_REASONS } from '../../lambdas/core/stop-reasons.ts';
import { STOP_REASONS as METRIC_STOP_REASONS } from '../../lambdas/shared/metric-names.ts';
import { jsonSchemas } from '../../tools/schemas/json-schema.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingPublisher } from '../fakes/publisher.ts';
import { InMemorySessionStore } from '../fakes/session-store.ts';
import { aPlaced } from '../fixtures/placed.ts';
import { callError, FakeArchive, LocatedFakeGameye } from './fakes.ts';

const NAMESPACE = '3b241101-e2bb-4255-8caf-4136c566a962';
const ORPHAN = '9c1d7d52-8f0e-4f7e-9a51-3f4a1c2b6d7e';
/** A session labelled as this deployment's, for a match with no record: an orphan once past the grace. */
const anOrphan = (created: number) => ({
  id: ORPHAN,
  created,
  labels: { 'bridge-match-id': 'lost-match', 'bridge-profile': 'arena' },
});
const config = parseBridgeConfig({
  deploymentId: 'test',
  sessionNamespace: NAMESPACE,
  profiles: {
    arena: {
      image: 'arena-server',
      artifactPaths: ['/srv/logs', '/srv/result.json'],
      idleTimeoutMs: 60_000,
      joinGraceMs: 30_000,
      maxLifetimeMs: 3_600_000,
    },
  },
});

function world() {
  const clock = new ManualClock();
  const store = new InMemorySessionStore({ activeShards: config.activeShards });
  const gameye = new LocatedFakeGameye();
  // As Gameye would: the location the fake's sessions run in can host the profile's image.
  gameye.offered.set('arena-server', ['eu-west-1']);
  const archive = new FakeArchive();
  const publisher = new RecordingPublisher();
  const deps: ReaperDeps = {
    config,
    store,
    index: store,
    gameye,
    archive,
    publisher,
    clock,
    archivePrefix: 'sessions',
  };
  /** A READY record and its running session, made `ageMs` ago. */
  const ready = (matchId: string, patch: Partial<SessionRecord> = {}): SessionRecord => {
    const sessionId = sessionIdFor(matchId, NAMESPACE);
    const placing = newPlacingRecord({
      matchId,
      sessionId,
      profile: 'arena',
      image: 'arena-server',
      players: [{ id: 'p1' }],
      activeShards: 8,
      now: clock.now(),
    });
    const record = {
      ...toReady(placing, aPlaced(), clock.now()),
      ...patch,
    };
    store.seed(record);
    gameye.add({ id: sessionId, created: clock.now(), labels: { 'bridge-match-id': matchId } });
    gameye.artifacts.set(`${sessionId} /srv/logs`, Buffer.from('logs-tarball'));
    return record;
  };
  /** A READY record and its session in `location`. */
  const readyIn = (matchId: string, location: string, patch: Partial<SessionRecord> = {}): SessionRecord => {
    const record = ready(matchId, { region: location, ...patch });
    const live = gameye.sessions.get(record.sessionId) ?? expect.unreachable();
    gameye.sessions.set(record.sessionId, { ...live, location });
    return record;
  };
  /** Everything the observer was told, in order. */
  const told: { kind: string; what: unknown }[] = [];
  const observed: ReaperDeps = {
    ...deps,
    observer: {
      ended: (record) => told.push({ kind: 'ended', what: record.matchId }),
      deferred: (record, step, error) =>
        told.push({ kind: 'deferred', what: { matchId: record.matchId, step, error } }),
      missing: () => {},
      orphan: (live) => told.push({ kind: 'orphan', what: live.id }),
      orphanStoppedAgain: (live) => told.push({ kind: 'orphanStoppedAgain', what: live.id }),
      movedIntoReadShard: (record, from) =>
        told.push({
          kind: 'movedIntoReadShard',
          what: { matchId: record.matchId, from, to: record.activeShard },
        }),
      listFailed: (location) => told.push({ kind: 'listFailed', what: location }),
      locationsUnlisted: (locations) => told.push({ kind: 'locationsUnlisted', what: locations }),
    },
  };
  return { clock, store, gameye, archive, publisher, deps, ready, readyIn, observed, told };
}

describe('the archive backlog', () => {
  it('is the age of the oldest stopped session whose archive the run left unfinished, and 0 once archived', async () => {
    const w = world();
    const older = w.ready('m-backlog-older');
    const newer = w.ready('m-backlog-newer');
    const stoppedAt = (ago: number) => new Date(w.clock.now() - ago).toISOString();
    w.store.seed({ ...toEnding(older, 'idle', w.clock.now()), stoppedAt: stoppedAt(240_000) });
    w.store.seed({ ...toEnding(newer, 'idle', w.clock.now()), stoppedAt: stoppedAt(60_000) });

    // Gameye fails both downloads once: both archives wait for the next run.
    w.gameye.failNext('artifact', callError());
    w.gameye.failNext('artifact', callError());
    const waiting = await runReaper(w.deps);

    expect(waiting.pending).toBe(2);
    expect(waiting.archiveBacklogMs).toBe(240_000);

    const done = await runReaper(w.deps);

    expect(done.ended).toBe(2);
    expect(done.archiveBacklogMs).toBe(0);
  });
});

describe('a record in a shard the index is no longer read over (activeShards lowered)', () => {
  it('is moved into a read shard once its running session shows unclaimed, then the policy stops it', async () => {
    const w = world();
    // Written when activeShards was 16; the config now says 8, so the index never shows it.
    const record = w.ready('m-high-shard', { activeShard: 'active#12' });
    w.clock.advance(config.orphanGraceMs);

    const first = await runReaper(w.observed);

    // Its match owns the session, so it is no orphan; the policy has not seen it yet.
    expect(first.orphans).toBe(0);
    expect(w.gameye.stopped).toEqual([]);
    const moved = w.store.stored('m-high-shard');
    expect(moved.state).toBe('READY');
    expect(moved.activeShard).toBe(activeShardFor('m-high-shard', config.activeShards));
    expect(w.told).toContainEqual({
      kind: 'movedIntoReadShard',
      what: { matchId: 'm-high-shard', from: 'active#12', to: moved.activeShard },
    });

    await runReaper(w.observed);

    // No player ever joined: the join grace is long past.
    expect(w.gameye.stopped).toEqual([record.sessionId]);
    expect(w.store.stored('m-high-shard').state).toBe('ENDED');
  });

  it('is found by reading one unread shard a run, even with no session to lead to it, and then finished', async () => {
    const w = world();
    const ready = w.ready('m-ending-high');
    // Stopped by an earlier run, its archive still to do, in a shard no longer read.
    w.store.seed({ ...toEnding(ready, 'idle', w.clock.now()), activeShard: 'active#50' });
    w.gameye.sessions.delete(ready.sessionId);

    let runs = 0;
    for (; runs < 2_000 && w.store.stored('m-ending-high').activeShard === 'active#50'; runs++) {
      await runReaper(w.observed);
      w.clock.advance(60_000);
    }

    expect(w.store.stored('m-ending-high')).toMatchObject({
      state: 'ENDING',
      activeShard: activeShardFor('m-ending-high', config.activeShards),
    });
    expect(w.told).toContainEqual({
      kind: 'movedIntoReadShard',
      what: {
        matchId: 'm-ending-high',
        from: 'active#50',
        to: activeShardFor('m-ending-high', config.activeShards),
      },
    });
    await runReaper(w.observed);
    expect(w.store.stored('m-ending-high').state).toBe('ENDED');
    expect(w.archive.objects.size).toBeGreaterThan(0);
  });

  it('reads each unread shard in turn, and none when every shard is read', () => {
    const seen = new Set<string>();
    for (let minute = 0; minute < 2_000; minute++) {
      const shard = unreadShardFor(minute * 60_000, 8) ?? expect.unreachable();
      const n = Number(shard.slice('active#'.length));
      expect(n).toBeGreaterThanOrEqual(8);
      expect(n).toBeLessThan(MAX_ACTIVE_SHARDS);
      seen.add(shard);
    }
    expect(seen.size).toBe(MAX_ACTIVE_SHARDS - 8);
    expect(unreadShardFor(0, MAX_ACTIVE_SHARDS)).toBeUndefined();
  });
});

describe('lifecycle policy', () => {
  const profile = config.profiles.arena;
  const base = (): SessionRecord => world().ready('m-policy');
  const live = {
    id: 'x',
    liveness: 'serving' as const,
    playerCount: 0,
    created: 0,
    location: 'l',
    host: 'h',
    image: 'i',
    ports: [],
    labels: {},
  };
  const at = (record: SessionRecord, ms: number) => Date.parse(record.readyAt ?? '') + ms;

  it('keeps a session without players inside the join grace and stops it after', () => {
    const r = base();
    expect(decide({ record: r, live, profile, orphanGraceMs: 1, now: at(r, 29_000) })).toEqual({
      kind: 'keep',
    });
    expect(decide({ record: r, live, profile, orphanGraceMs: 1, now: at(r, 30_000) })).toEqual({
      kind: 'stop',
      reason: 'no-players-joined',
    });
  });

  it('tracks the first player, then idleness, and stops after the idle timeout', () => {
    const r = base();
    const joined = decide({
      record: r,
      live: { ...live, playerCount: 2 },
      profile,
      orphanGraceMs: 1,
      now: at(r, 1000),
    });
    expect(joined).toMatchObject({ kind: 'track', idleSince: undefined });
    const withPlayer = { ...r, firstPlayerAt: new Date(at(r, 1000)).toISOString() };
    expect(
      decide({
        record: withPlayer,
        live: { ...live, playerCount: 2 },
        profile,
        orphanGraceMs: 1,
        now: at(r, 2000),
      }),
    ).toEqual({ kind: 'keep' });
    const idle = decide({ record: withPlayer, live, profile, orphanGraceMs: 1, now: at(r, 5000) });
    expect(idle).toMatchObject({ kind: 'track', idleSince: new Date(at(r, 5000)).toISOString() });
    const idleRecord = { ...withPlayer, idleSince: new Date(at(r, 5000)).toISOString() };
    expect(decide({ record: idleRecord, live, profile, orphanGraceMs: 1, now: at(r, 64_999) })).toEqual({
      kind: 'keep',
    });
    expect(decide({ record: idleRecord, live, profile, orphanGraceMs: 1, now: at(r, 65_000) })).toEqual({
      kind: 'stop',
      reason: 'idle',
    });
  });

  describe('decide, branch by branch', () => {
    const T0 = Date.parse('2030-01-01T00:00:00.000Z');
    const iso = (ms: number) => new Date(T0 + ms).toISOString();
    const GRACE = 600_000;
    const record = (patch: Partial<PolicyRecord> = {}): PolicyRecord => ({
      state: 'READY',
      createdAt: iso(0),
      readyAt: iso(0),
      firstPlayerAt: undefined,
      idleSince: undefined,
      ...patch,
    });
    const seen = (playerCount: number | undefined, liveness: Liveness | undefined = 'serving') => ({
      liveness,
      playerCount,
    });
    type Row = [string, PolicyRecord, LiveStatus | undefined, 'arena' | 'absent', number, Decision];
    const rows: Row[] = [
      ['ENDING: finish it', record({ state: 'ENDING' }), seen(0), 'arena', 1, { kind: 'finish' }],
      [
        'young PLACING, running: keep',
        record({ state: 'PLACING' }),
        seen(0),
        'arena',
        GRACE - 1,
        { kind: 'keep' },
      ],
      [
        'young PLACING, nothing at Gameye: keep',
        record({ state: 'PLACING' }),
        undefined,
        'arena',
        GRACE - 1,
        { kind: 'keep' },
      ],
      [
        'old PLACING, running: abandon and stop',
        record({ state: 'PLACING' }),
        seen(0),
        'arena',
        GRACE,
        { kind: 'abandon-running' },
      ],
      [
        'old PLACING, nothing at Gameye: fail',
        record({ state: 'PLACING' }),
        undefined,
        'arena',
        GRACE,
        { kind: 'abandon-failed' },
      ],
      ['FAILED: keep', record({ state: 'FAILED' }), undefined, 'arena', GRACE, { kind: 'keep' }],
      ['READY, unknown to Gameye: gone', record(), undefined, 'arena', 1, { kind: 'stop', reason: 'gone' }],
      ['READY, ended: crashed', record(), seen(0, 'ended'), 'arena', 1, { kind: 'stop', reason: 'crashed' }],
      [
        'READY, unreachable: crashed',
        record(),
        seen(0, 'unreachable'),
        'arena',
        1,
        { kind: 'stop', reason: 'crashed' },
      ],
      [
        'READY, starting, empty in the join grace: keep',
        record(),
        seen(0, 'starting'),
        'arena',
        1,
        { kind: 'keep' },
      ],
      [
        'READY, stopping, empty in the join grace: keep',
        record(),
        seen(0, 'stopping'),
        'arena',
        1,
        { kind: 'keep' },
      ],
      [
        'READY, liveness unknown, empty in the join grace: keep',
        record(),
        seen(0, undefined),
        'arena',
        1,
        { kind: 'keep' },
      ],
      [
        'READY past its lifetime, players in: max-lifetime',
        record({ firstPlayerAt: iso(0) }),
        seen(3),
        'arena',
        3_600_000,
        { kind: 'stop', reason: 'max-lifetime' },
      ],
      [
        'READY past any lifetime, profile absent: keep',
        record({ firstPlayerAt: iso(0) }),
        seen(3),
        'absent',
        3_600_000,
        { kind: 'keep' },
      ],
      [
        'player count unknown, past the join grace: keep',
        record(),
        seen(undefined),
        'arena',
        30_000,
        { kind: 'keep' },
      ],
      [
        'first player: track it',
        record(),
        seen(2),
        'arena',
        1_000,
        { kind: 'track', firstPlayerAt: iso(1_000), idleSince: undefined },
      ],
      [
        'players still in: keep',
        record({ firstPlayerAt: iso(0) }),
        seen(2),
        'arena',
        1_000,
        { kind: 'keep' },
      ],
      [
        'a player back after idle: clear idleSince',
        record({ firstPlayerAt: iso(0), idleSince: iso(500) }),
        seen(1),
        'arena',
        1_000,
        { kind: 'track', firstPlayerAt: iso(0), idleSince: undefined },
      ],
      ['nobody joined inside the grace: keep', record(), seen(0), 'arena', 29_999, { kind: 'keep' }],
      [
        'nobody joined by the grace: stop',
        record(),
        seen(0),
        'arena',
        30_000,
        { kind: 'stop', reason: 'no-players-joined' },
      ],
      ['nobody joined, profile absent: keep', record(), seen(0), 'absent', 30_000, { kind: 'keep' }],
      [
        'everyone left: track idleSince',
        record({ firstPlayerAt: iso(0) }),
        seen(0),
        'arena',
        5_000,
        { kind: 'track', firstPlayerAt: iso(0), idleSince: iso(5_000) },
      ],
      [
        'idle inside the timeout: keep',
        record({ firstPlayerAt: iso(0), idleSince: iso(5_000) }),
        seen(0),
        'arena',
        64_999,
        { kind: 'keep' },
      ],
      [
        'idle past the timeout: stop',
        record({ firstPlayerAt: iso(0), idleSince: iso(5_000) }),
        seen(0),
        'arena',
        65_000,
        { kind: 'stop', reason: 'idle' },
      ],
      [
        'idle, profile absent: keep',
        record({ firstPlayerAt: iso(0), idleSince: iso(5_000) }),
        seen(0),
        'absent',
        65_000,
        { kind: 'keep' },
      ],
    ];

    it.each(rows)('%s', (_name, rec, live, which, at, expected) => {
      const input = {
        record: rec,
        live,
        profile: which === 'arena' ? profile : undefined,
        orphanGraceMs: GRACE,
        now: T0 + at,
      };
      expect(decide(input)).toEqual(expected);
    });
  });

  it.each([
    // liveness, an orphan past the grace?, may still be running?
    ['starting', true, true],
    ['serving', true, true],
    ['unreachable', true, true],
    ['stopping', false, true],
    ['ended', false, false],
    [undefined, true, true],
  ] as const)('reads a %s session as orphan-worthy %s, maybe running %s', (liveness, orphan, running) => {
    expect(isOrphan({ liveness, created: 0 }, 1_000, 1_000)).toBe(orphan);
    expect(isOrphan({ liveness, created: 0 }, 1_000, 999)).toBe(false);
    expect(mayBeRunning(liveness)).toBe(running);
  });

  it('stops crashed, vanished and over-age sessions with their reasons', () => {
    const r0 = base();
    const r = { ...r0, firstPlayerAt: r0.readyAt };
    for (const liveness of ['ended', 'unreachable'] as const) {
      expect(
        decide({ record: r, live: { ...live, liveness }, profile, orphanGraceMs: 1, now: at(r, 1) }),
      ).toEqual({ kind: 'stop', reason: 'crashed' });
    }
    expect(decide({ record: r, live: undefined, profile, orphanGraceMs: 1, now: at(r, 1) })).toEqual({
      kind: 'stop',
      reason: 'gone',
    });
    expect(
      decide({
        record: r,
        live: { ...live, playerCount: 3 },
        profile,
        orphanGraceMs: 1,
        now: at(r, 3_600_000),
      }),
    ).toEqual({ kind: 'stop', reason: 'max-lifetime' });
  });
});

describe('the reaper run', () => {
  it('stops an idle session, archives artifacts, logs and a manifest, publishes SessionEnded and ends the record', async () => {
    const w = world();
    const r = w.ready('m-1');
    w.clock.advance(31_000);
    const result = await runReaper(w.deps);
    expect(result).toMatchObject({ active: 1, ended: 1, pending: 0, stopping: { 'no-players-joined': 1 } });
    const ended = w.store.stored('m-1');
    expect(ended.state).toBe('ENDED');
    expect(ended.activeShard).toBeUndefined();
    expect(ended.expiresAt).toBeGreaterThan(0);
    const layout = archiveLayout('sessions', r);
    expect(ended.archive?.manifestKey).toBe(layout.manifestKey);
    expect(ended.archive?.missing).toEqual([{ path: '/srv/result.json', reason: expect.any(String) }]);
    const tar = w.archive.objects.get(layout.artifactKey('/srv/logs'));
    expect(tar?.toString()).toBe('logs-tarball');
    expect(ended.archive?.files.find((f) => f.path === '/srv/logs')?.sha256).toBe(
      createHash('sha256').update('logs-tarball').digest('hex'),
    );
    const manifest = JSON.parse(w.archive.objects.get(layout.manifestKey)?.toString() ?? '{}');
    expect(manifest.files).toHaveLength(2);
    expect(manifest.missing).toEqual([{ path: '/srv/result.json', reason: expect.any(String) }]);
    expect(w.publisher.events).toEqual([
      expect.objectContaining({
        type: 'SessionEnded',
        matchId: 'm-1',
        reason: 'no-players-joined',
        manifestKey: layout.manifestKey,
        missingArtifacts: ['/srv/result.json'],
      }),
    ]);
    expect(w.gameye.stopped).toEqual([r.sessionId]);
  });

  it('makes one Gameye list call and writes nothing for sessions whose state did not change', async () => {
    const w = world();
    for (let i = 0; i < 50; i++) w.ready(`m-${i}`);
    await runReaper(w.deps);
    expect(w.gameye.calls).toEqual({ list: 1, describe: 0, stop: 0, artifact: 0, logs: 0 });
    expect(w.store.writes).toEqual([]);
  });

  it('describes a session its list does not show before judging it, and keeps a live one running', async () => {
    // A warm-pool container ignores labels, so the deployment's filtered list never shows it.
    const w = world();
    w.ready('m-warm');
    const sessionId = w.store.stored('m-warm').sessionId;
    w.gameye.unlabelled.add(sessionId);
    const sessionBefore = w.gameye.sessions.get(sessionId);
    w.gameye.sessions.set(sessionId, { ...(sessionBefore ?? expect.unreachable()), playerCount: 4 });

    await runReaper(w.deps);

    expect(w.gameye.calls.describe).toBe(1);
    expect(w.gameye.calls.stop).toBe(0);
    expect(w.store.stored('m-warm').state).toBe('READY');
  });

  it('ends a record as gone only when Gameye no longer knows its session', async () => {
    const w = world();
    w.ready('m-vanished');
    w.gameye.sessions.delete(w.store.stored('m-vanished').sessionId);

    await runReaper(w.deps);

    expect(w.gameye.calls.describe).toBe(1);
    expect(w.store.stored('m-vanished')).toMatchObject({ state: 'ENDED', endReason: 'gone' });
  });

  it('keeps a record whose describe failed and goes on with the rest of the run', async () => {
    const w = world();
    w.ready('m-unclear');
    w.gameye.unlabelled.add(w.store.stored('m-unclear').sessionId);
    w.ready('m-empty');
    w.clock.advance(31_000);
    w.gameye.failNext('describe', callError('unavailable'));

    const result = await runReaper(w.deps);

    expect(w.store.stored('m-unclear').state).toBe('READY');
    expect(w.store.stored('m-empty').state).toBe('ENDED');
    expect(result.ended).toBe(1);
  });

  it('describes at most a bounded number of sessions per run and reaches the rest on later runs', async () => {
    const w = world();
    const count = MAX_DESCRIBES_PER_RUN + 50;
    for (let i = 0; i < count; i++) {
      w.ready(`m-${i}`);
      w.gameye.sessions.delete(w.store.stored(`m-${i}`).sessionId);
    }

    await runReaper(w.deps);
    expect(w.gameye.calls.describe).toBe(MAX_DESCRIBES_PER_RUN);
    const endedAfterOne = [...Array(count).keys()].filter(
      (i) => w.store.stored(`m-${i}`).state === 'ENDED',
    ).length;
    expect(endedAfterOne).toBe(MAX_DESCRIBES_PER_RUN);

    w.clock.advance(60_000);
    await runReaper(w.deps);
    expect([...Array(count).keys()].every((i) => w.store.stored(`m-${i}`).state === 'ENDED')).toBe(true);
  });

  it.each([1, 5])(
    'describes every one of 1,000 unclear sessions within five runs %i minute(s) apart',
    async (minutes) => {
      const w = world();
      const periodMs = minutes * 60_000;
      const count = 1_000;
      for (let i = 0; i < count; i++) {
        const r = w.ready(`m-${i}`, { firstPlayerAt: new Date(w.clock.now()).toISOString() });
        const live = w.gameye.sessions.get(r.sessionId) ?? expect.unreachable();
        w.gameye.sessions.set(r.sessionId, { ...live, playerCount: 2 });
        // Unlabelled (a warm-pool container): no list shows it, so every run must describe it.
        w.gameye.unlabelled.add(r.sessionId);
      }
      const described = new Set<string>();
      const describe = w.gameye.describeSession.bind(w.gameye);
      w.gameye.describeSession = async (id) => {
        described.add(id);
        return describe(id);
      };

      for (let run = 0; run < Math.ceil(count / MAX_DESCRIBES_PER_RUN); run++) {
        await runReaper({ ...w.deps, runPeriodMs: periodMs });
        w.clock.advance(periodMs);
      }

      expect(described.size).toBe(count);
      expect(w.gameye.calls.describe).toBe(count);
    },
  );

  it('does not read a missing player count as an empty server', async () => {
    const w = world();
    w.ready('m-unknown');
    w.clock.advance(31_000);
    const sessionId = w.store.stored('m-unknown').sessionId;
    const live = w.gameye.sessions.get(sessionId) ?? expect.unreachable();
    w.gameye.sessions.set(sessionId, { ...live, playerCount: undefined });

    await runReaper(w.deps);

    expect(w.gameye.calls.stop).toBe(0);
    expect(w.store.stored('m-unknown').state).toBe('READY');
  });

  it('leaves the record ENDING on a transient failure and resumes without archiving anything twice', async () => {
    const w = world();
    w.ready('m-1');
    w.clock.advance(31_000);
    w.gameye.failNext('logs', callError('unavailable'));
    const first = await runReaper(w.deps);
    expect(first).toMatchObject({ ended: 0, pending: 1 });
    expect(w.store.stored('m-1').state).toBe('ENDING');
    const second = await runReaper(w.deps);
    expect(second).toMatchObject({ ended: 1, pending: 0 });
    expect(new Set(w.archive.uploads).size).toBe(w.archive.uploads.length);
    expect(w.gameye.calls.stop).toBe(1);
  });

  it('retries a failed stop on the next run, the record ENDING with its reason meanwhile', async () => {
    const w = world();
    w.ready('m-1');
    w.clock.advance(31_000);
    w.gameye.failNext('stop', callError('unavailable'));
    await runReaper(w.deps);
    expect(w.store.stored('m-1')).toMatchObject({ state: 'ENDING', endReason: 'no-players-joined' });
    expect(w.store.stored('m-1').stoppedAt).toBeUndefined();
    await runReaper(w.deps);
    expect(w.store.stored('m-1').state).toBe('ENDED');
  });

  it('stops and archives a labelled session with no record as an orphan once past the grace', async () => {
    const w = world();
    w.gameye.add(anOrphan(w.clock.now()));
    expect((await runReaper(w.deps)).orphans).toBe(0);
    w.clock.advance(config.orphanGraceMs);
    const result = await runReaper(w.deps);
    expect(result).toMatchObject({ orphans: 1, ended: 1 });
    expect(w.gameye.stopped).toEqual([ORPHAN]);
    expect(w.store.stored(`orphan:${ORPHAN}`)).toMatchObject({
      state: 'ENDED',
      endReason: 'orphan',
      orphanOf: 'lost-match',
    });
    // In a folder of its own: the match may have an archive already, which must not be replaced.
    expect([...w.archive.objects.keys()].every((k) => k.includes(`/lost-match/orphan-${ORPHAN}/`))).toBe(
      true,
    );
    expect(w.publisher.events).toEqual([]);
    expect((await runReaper(w.deps)).orphans).toBe(0);
  });

  it("leaves a labelled session alone when its match's record cannot be read, and claims it once the read answers", async () => {
    // A throttled read, or a corrupt item, says nothing about who owns the session: it may be a
    // live match's server the index has not shown yet.
    const w = world();
    w.gameye.add(anOrphan(w.clock.now()));
    w.clock.advance(config.orphanGraceMs);
    w.store.failOnce('get', 'before', new Error('ProvisionedThroughputExceededException'));

    const first = await runReaper(w.observed);

    expect(first.orphans).toBe(0);
    expect(w.gameye.stopped).toEqual([]);
    expect(w.store.peek(`orphan:${ORPHAN}`)).toBeUndefined();
    expect(w.told).toContainEqual({
      kind: 'deferred',
      what: { matchId: 'lost-match', step: 'read owner of orphan', error: expect.any(Error) },
    });

    const second = await runReaper(w.observed);

    expect(second.orphans).toBe(1);
    expect(w.gameye.stopped).toEqual([ORPHAN]);
  });

  it('stops again, without a second archive, a session still running after its orphan record ended', async () => {
    const w = world();
    w.gameye.add(anOrphan(w.clock.now()));
    w.clock.advance(config.orphanGraceMs);
    expect((await runReaper(w.observed)).orphans).toBe(1);
    expect(w.store.stored(`orphan:${ORPHAN}`).state).toBe('ENDED');
    const uploads = [...w.archive.uploads];
    // The session comes back (a stop Gameye acknowledged but did not carry out).
    const live = w.gameye.sessions.get(ORPHAN) ?? expect.unreachable();
    w.gameye.sessions.set(ORPHAN, { ...live, liveness: 'serving' });

    const again = await runReaper(w.observed);

    expect(again.orphans).toBe(1);
    expect(w.gameye.stopped).toEqual([ORPHAN, ORPHAN]);
    expect(w.told).toContainEqual({ kind: 'orphanStoppedAgain', what: ORPHAN });
    expect(w.archive.uploads).toEqual(uploads);
    expect(w.store.stored(`orphan:${ORPHAN}`).state).toBe('ENDED');
  });

  it('fails a PLACING record left without a session past the retry window and stops one that has a session', async () => {
    const w = world();
    for (const matchId of ['p-none', 'p-running']) {
      w.store.seed(
        newPlacingRecord({
          matchId,
          sessionId: sessionIdFor(matchId, NAMESPACE),
          profile: 'arena',
          image: 'arena-server',
          players: [],
          activeShards: 8,
          now: w.clock.now(),
        }),
      );
    }
    w.gameye.add({ id: sessionIdFor('p-running', NAMESPACE), created: w.clock.now() });
    await runReaper(w.deps);
    expect(w.store.stored('p-none').state).toBe('PLACING');
    w.clock.advance(config.orphanGraceMs);
    await runReaper(w.deps);
    expect(w.store.stored('p-none')).toMatchObject({
      state: 'FAILED',
      failure: { reason: 'placement-abandoned' },
    });
    expect(w.store.stored('p-running')).toMatchObject({ state: 'ENDED', endReason: 'placement-abandoned' });
    expect(w.publisher.events.map((e) => e.type).sort()).toEqual(['SessionEnded', 'SessionFailed']);
  });

  it('stops every session it ends before it archives any, so archives never keep a server running', async () => {
    const w = world();
    for (let i = 0; i < 10; i++) w.ready(`m-${i}`);
    w.clock.advance(31_000);
    const order: string[] = [];
    const stop = w.gameye.stopSession.bind(w.gameye);
    vi.spyOn(w.gameye, 'stopSession').mockImplementation(async (id) => {
      order.push('stop');
      return stop(id);
    });
    const upload = w.archive.upload.bind(w.archive);
    vi.spyOn(w.archive, 'upload').mockImplementation(async (key, body, options) => {
      order.push('upload');
      return upload(key, body, options);
    });

    const result = await runReaper(w.deps, { concurrency: 1 });

    expect(result).toMatchObject({ ended: 10, pending: 0 });
    expect(order.slice(0, 10)).toEqual(Array(10).fill('stop'));
    expect(order.slice(10).every((step) => step === 'upload')).toBe(true);
  });

  it('stops them all even when no time is left to archive, and archives them on the next run', async () => {
    const w = world();
    for (let i = 0; i < 4; i++) w.ready(`m-${i}`);
    w.clock.advance(31_000);
    // Time runs out the moment the last session is stopped.
    const timeLeft = () => (w.gameye.stopped.length >= 4 ? 0 : 60_000);

    const first = await runReaper(w.deps, { remainingTimeMs: timeLeft, reserveMs: 1 });

    expect(first).toMatchObject({ ended: 0, pending: 4, outOfTime: true });
    expect(w.gameye.stopped).toHaveLength(4);
    expect(w.archive.uploads).toEqual([]);
    for (let i = 0; i < 4; i++) expect(w.store.stored(`m-${i}`).stoppedAt).toBeDefined();

    const second = await runReaper(w.deps);

    expect(second).toMatchObject({ ended: 4, pending: 0 });
    expect(w.gameye.stopped).toHaveLength(4);
  });

  it('stops the sessions it ends before it writes player tracking, so a burst of tracking cannot spend the run', async () => {
    const w = world();
    for (let i = 0; i < 20; i++) {
      const r = w.ready(`m-playing-${i}`);
      const live = w.gameye.sessions.get(r.sessionId) ?? expect.unreachable();
      w.gameye.sessions.set(r.sessionId, { ...live, playerCount: 2 });
    }
    // Read last from the index: behind every tracking write.
    const empty = w.ready('m-empty');
    w.clock.advance(31_000);
    // The run's time is spent as soon as one tracking write lands.
    const timeLeft = () => (w.store.writes.some((x) => x.startsWith('track')) ? 0 : 60_000);

    const result = await runReaper(w.deps, { remainingTimeMs: timeLeft, reserveMs: 1 });

    expect(result.outOfTime).toBe(true);
    expect(w.gameye.stopped).toEqual([empty.sessionId]);
    expect(w.store.stored('m-empty')).toMatchObject({ state: 'ENDING', stoppedAt: expect.any(String) });
    expect(result.tracked).toBeGreaterThan(0);
  });

  it("cuts off a download still streaming at the run's deadline, and records the path missing after three such runs", async () => {
    const w = world();
    const r = w.ready('m-1');
    w.clock.advance(31_000);
    // Each run's time is spent as soon as its first artifact download opens: a trickle.
    const deadlineAtDownload = () => {
      const before = w.gameye.calls.artifact;
      return () => (w.gameye.calls.artifact > before ? 0 : Number.POSITIVE_INFINITY);
    };
    const layout = archiveLayout('sessions', r);

    for (let run = 1; run <= MAX_CUT_OFF_RUNS; run++) {
      const result = await runReaper(w.observed, { remainingTimeMs: deadlineAtDownload(), reserveMs: 2 });
      expect(result).toMatchObject({ ended: 0, outOfTime: true });
      expect(w.store.stored('m-1').state).toBe('ENDING');
    }
    expect(w.told.filter((t) => t.kind === 'deferred')).toHaveLength(MAX_CUT_OFF_RUNS - 1);
    expect(w.archive.uploads).not.toContain(layout.artifactKey('/srv/logs'));

    const last = await runReaper(w.observed);

    expect(last.ended).toBe(1);
    const ended = w.store.stored('m-1');
    expect(ended.state).toBe('ENDED');
    expect(ended.archive?.missing).toContainEqual({
      path: '/srv/logs',
      reason: `download exceeded the reaper's time budget in ${MAX_CUT_OFF_RUNS} runs`,
    });
    expect(w.archive.uploads).not.toContain(layout.artifactKey('/srv/logs'));
    expect(w.gameye.calls.artifact).toBe(MAX_CUT_OFF_RUNS + 1);
  });

  it('starts no step once the time budget is spent, and the next run finishes the work without uploading anything twice', async () => {
    const w = world();
    for (let i = 0; i < 6; i++) w.ready(`m-${i}`);
    w.clock.advance(31_000);
    // Time runs out as the first object is stored: the run pauses in the middle of an archive.
    const timeLeft = () => (w.archive.uploads.length >= 1 ? 0 : Number.POSITIVE_INFINITY);

    const first = await runReaper(w.deps, { remainingTimeMs: timeLeft, reserveMs: 2, concurrency: 1 });

    expect(first).toMatchObject({ outOfTime: true, ended: 0 });
    expect(w.archive.uploads).toHaveLength(1);
    const paused = [...Array(6).keys()]
      .map((i) => w.store.stored(`m-${i}`))
      .filter((r) => r.archive?.files.length);
    expect(paused).toHaveLength(1);

    const second = await runReaper(w.deps);

    expect(second.ended + first.ended).toBe(6);
    expect(new Set(w.archive.uploads).size).toBe(w.archive.uploads.length);
    // Two objects (one artifact, the logs) and a manifest per session.
    expect(w.archive.uploads).toHaveLength(6 * 3);
  });
});

describe('the reaper at scale', () => {
  it('reads each record whole only when it acts on it, never to decide', async () => {
    const w = world();
    for (let i = 0; i < 50; i++) w.ready(`m-${i}`, { firstPlayerAt: new Date(w.clock.now()).toISOString() });
    for (let i = 0; i < 50; i++) {
      const id = w.store.stored(`m-${i}`).sessionId;
      w.gameye.sessions.set(id, { ...(w.gameye.sessions.get(id) ?? expect.unreachable()), playerCount: 3 });
    }
    w.ready('m-empty');
    w.clock.advance(31_000);
    const gets = vi.spyOn(w.store, 'get');

    const result = await runReaper(w.deps);

    expect(gets.mock.calls).toEqual([['m-empty']]);
    expect(result).toMatchObject({ active: 51, ended: 1 });
    expect(w.store.stored('m-empty').state).toBe('ENDED');
  });

  it('leaves a record that changed after the index was read to the next run', async () => {
    const w = world();
    w.ready('m-raced');
    w.clock.advance(31_000);
    const deps: ReaperDeps = {
      ...w.observed,
      index: {
        listActive: () => w.store.listActive(),
        readShard: (shard, onPage) => w.store.readShard(shard, onPage),
        async readActive(onPage) {
          await w.store.readActive(onPage);
          // Another writer (MatchEnded on the placement path) moves the record on meanwhile.
          const record = w.store.stored('m-raced');
          w.store.seed({ ...record, version: record.version + 1 });
        },
      },
    };

    const result = await runReaper(deps);

    expect(result.stopping).toEqual({});
    expect(w.gameye.calls.stop).toBe(0);
    expect(w.store.writes).toEqual([]);
    expect(w.told).toContainEqual({
      kind: 'deferred',
      what: { matchId: 'm-raced', step: 'mark ENDING', error: expect.any(StateConflictError) },
    });
  });

  it("lists a large deployment location by location: its records' locations and those Gameye offers", async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1');
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.offered.set('arena-server', ['ap-southeast-1', 'eu-west-1']);

    const result = await runReaper(w.deps);

    expect(w.gameye.lists).toEqual(['ap-southeast-1', 'eu-west-1', 'us-east-1']);
    expect(result).toMatchObject({ active: 2, listed: 2 });
    expect(w.gameye.calls.describe).toBe(0);
    expect(w.store.writes).toEqual([]);
  });

  it('finds an orphan in a location no record names, among the locations Gameye offers', async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1');
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.add({ ...anOrphan(w.clock.now()), location: 'sa-east' });
    w.gameye.offered.set('arena-server', ['sa-east']);
    w.clock.advance(config.orphanGraceMs);

    const result = await runReaper(w.deps);

    expect(result.orphans).toBe(1);
    expect(w.gameye.stopped).toContain(ORPHAN);
  });

  it('describes an orphan before claiming it, and leaves one that stopped since it was listed', async () => {
    // The lists are read before the index: a session stopped in between must not be re-archived.
    const w = world();
    w.gameye.add({ id: ORPHAN, created: w.clock.now(), labels: { 'bridge-match-id': 'ended-match' } });
    w.clock.advance(config.orphanGraceMs);
    const describe = w.gameye.describeSession.bind(w.gameye);
    w.gameye.describeSession = async (id) => {
      const live = w.gameye.sessions.get(id);
      if (live) w.gameye.sessions.set(id, { ...live, liveness: 'ended' });
      return describe(id);
    };

    const result = await runReaper(w.deps);

    expect(w.gameye.calls.describe).toBe(1);
    expect(result.orphans).toBe(0);
    expect(w.gameye.stopped).toEqual([]);
    expect(w.store.writes).toEqual([]);
  });

  /** Records placed in `region` whose sessions Gameye reports (and filters) as `reported`. */
  const renamed = (w: ReturnType<typeof world>, count: number, region: string, reported: string): void => {
    for (let i = 0; i < count; i++) {
      const record = w.readyIn(`m-${i}`, region);
      const live = w.gameye.sessions.get(record.sessionId) ?? expect.unreachable();
      w.gameye.sessions.set(record.sessionId, { ...live, location: reported });
    }
  };

  it('lists a location by the name Gameye reported when its list by our name misses sessions Gameye still runs', async () => {
    // Gameye reports (and filters on) other location names than those placement started the
    // sessions with: more records than a run may describe must still all be decided, and no
    // list answers for every location at once.
    const w = world();
    const count = MAX_DESCRIBES_PER_RUN + 20;
    renamed(w, count, 'eu-west-1', 'frankfurt');
    w.clock.advance(31_000);

    const result = await runReaper(w.observed);

    expect(w.gameye.lists).toEqual(['eu-west-1', 'frankfurt']);
    expect(w.told).toContainEqual({ kind: 'locationsUnlisted', what: ['frankfurt'] });
    expect(w.gameye.calls.describe).toBe(MAX_DESCRIBES_PER_RUN);
    expect(result.stopping).toEqual({ 'no-players-joined': count });
    expect(result.listed).toBe(count);
  });

  it('goes on when the list of a location Gameye reported fails, deciding what the describes told', async () => {
    const w = world();
    const count = MAX_DESCRIBES_PER_RUN + 20;
    renamed(w, count, 'eu-west-1', 'frankfurt');
    w.gameye.failing.add('frankfurt');
    w.clock.advance(31_000);

    const result = await runReaper(w.observed);

    expect(w.gameye.lists).toEqual(['eu-west-1', 'frankfurt']);
    expect(w.told).toContainEqual({ kind: 'listFailed', what: 'frankfurt' });
    expect(result.stopping).toEqual({ 'no-players-joined': MAX_DESCRIBES_PER_RUN });
  });

  it("does not list every location when the sessions a location's list missed have ended", async () => {
    const w = world();
    for (let i = 0; i < SUSPECT_LOCATION_RECORDS; i++) {
      const record = w.readyIn(`m-${i}`, 'eu-west-1');
      w.gameye.sessions.delete(record.sessionId);
    }

    const result = await runReaper(w.observed);

    expect(w.gameye.lists).toEqual(['eu-west-1']);
    expect(w.told.some((t) => t.kind === 'locationsUnlisted')).toBe(false);
    expect(result.stopping).toEqual({ gone: SUSPECT_LOCATION_RECORDS });
  });

  it('describes the records of a location whose list failed, and decides the others from the lists', async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1');
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.failing.add('eu-west-1');
    w.clock.advance(31_000);

    const result = await runReaper(w.observed);

    expect(w.gameye.calls.describe).toBe(1);
    expect(w.store.peek('m-dublin')).toMatchObject({ state: 'ENDED', endReason: 'no-players-joined' });
    expect(w.store.peek('m-virginia')).toMatchObject({ state: 'ENDED', endReason: 'no-players-joined' });
    expect(result.ended).toBe(2);
    expect(w.told).toContainEqual({ kind: 'listFailed', what: 'eu-west-1' });
  });

  it('applies the policy to the records of a location whose list keeps failing, run after run', async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1', { firstPlayerAt: new Date(w.clock.now()).toISOString() });
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.failing.add('eu-west-1');
    const first = await runReaper(w.observed);
    // Its players left: the first run records when it became idle, from the describe.
    expect(first.tracked).toBe(1);
    expect(w.store.stored('m-dublin').idleSince).toBeDefined();

    w.clock.advance(config.profiles.arena?.idleTimeoutMs ?? expect.unreachable());
    await runReaper(w.observed);

    expect(w.store.peek('m-dublin')).toMatchObject({ state: 'ENDED', endReason: 'idle' });
    expect(w.told.filter((t) => t.kind === 'listFailed')).toHaveLength(2);
  });

  it('lists no further location once the time budget is spent, keeping their records for the next run', async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1');
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.offered.set('arena-server', ['eu-west-1', 'us-east-1']);
    w.clock.advance(31_000);
    const timeLeft = () => (w.gameye.lists.length >= 1 ? 0 : 60_000);

    const result = await runReaper(w.deps, { remainingTimeMs: timeLeft, reserveMs: 1 });

    expect(w.gameye.lists).toEqual(['eu-west-1']);
    expect(result.outOfTime).toBe(true);
    expect(w.store.stored('m-virginia').state).toBe('READY');
  });

  it('fails the run when no location could be listed', async () => {
    const w = world();
    w.readyIn('m-dublin', 'eu-west-1');
    w.readyIn('m-virginia', 'us-east-1');
    w.gameye.failing.add('eu-west-1');
    w.gameye.failing.add('us-east-1');

    await expect(runReaper(w.deps)).rejects.toMatchObject({
      name: 'GameyeCallError',
    });
    expect(w.store.writes).toEqual([]);
  });
});

describe('the live view', () => {
  const session = (id: string) => ({
    id,
    liveness: 'serving' as const,
    playerCount: 0,
    created: 0,
    location: 'eu-west-1',
    host: 'h',
    image: 'i',
    ports: [],
    labels: {},
  });

  it('counts a session shown by two lists once, and one only described not at all', () => {
    const view = new LiveView();
    view.add([session('a'), session('b')]);
    view.add([session('a')]);
    view.set(session('c'));
    view.add([session('c')]);

    expect(view.listed).toBe(3);
    expect([...view.unclaimed()].map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('MatchEnded', () => {
  const body = (matchId: string) => JSON.stringify({ type: 'MatchEnded', version: 1, matchId });
  const ended = (matchId: string) => ({ type: 'MatchEnded', version: 1, matchId }) as const;
  const placementSide = (w: ReturnType<typeof world>) => ({
    config,
    store: w.store,
    gameye: w.gameye,
    clock: w.clock,
  });

  it('records ENDING and stops the session on the placement path, leaving the archive to the reaper', async () => {
    const w = world();
    const ready = w.ready('m-1');
    const outcome = await stopEndedMatch(ended('m-1'), placementSide(w));
    expect(outcome).toMatchObject({ kind: 'ending', stop: 'stopped', first: true });
    expect(w.store.stored('m-1')).toMatchObject({
      state: 'ENDING',
      endReason: 'match-ended',
      stoppedAt: new Date(w.clock.now()).toISOString(),
    });
    expect(w.gameye.stopped).toEqual([ready.sessionId]);
    // Nothing archived, nothing announced: both are the reaper's.
    expect(w.gameye.calls.artifact + w.gameye.calls.logs).toBe(0);
    expect(w.archive.uploads).toEqual([]);
    expect(w.publisher.events).toEqual([]);

    const run = await runReaper(w.deps);
    expect(run.ended).toBe(1);
    expect(w.gameye.calls.stop).toBe(1);
    expect(w.store.stored('m-1')).toMatchObject({ state: 'ENDED', endReason: 'match-ended' });
    expect(w.publisher.events).toEqual([
      expect.objectContaining({ type: 'SessionEnded', reason: 'match-ended' }),
    ]);
  });

  it('absorbs a second delivery without stopping twice', async () => {
    const w = world();
    w.ready('m-1');
    await stopEndedMatch(ended('m-1'), placementSide(w));
    expect(await stopEndedMatch(ended('m-1'), placementSide(w))).toMatchObject({
      kind: 'ending',
      stop: 'stopped',
      first: false,
    });
    expect(w.gameye.calls.stop).toBe(1);
  });

  it('leaves a failed stop to the reaper, which stops and archives the session', async () => {
    const w = world();
    w.ready('m-1');
    w.gameye.failNext('stop', callError('unavailable'));
    const outcome = await stopEndedMatch(ended('m-1'), placementSide(w));
    expect(outcome).toMatchObject({ kind: 'ending', stop: 'deferred', stopError: expect.any(Error) });
    expect(w.store.stored('m-1')).toMatchObject({ state: 'ENDING' });
    expect(w.store.stored('m-1').stoppedAt).toBeUndefined();

    expect((await runReaper(w.deps)).ended).toBe(1);
    expect(w.gameye.calls.stop).toBe(2);
    expect(w.store.stored('m-1')).toMatchObject({ state: 'ENDED' });
  });

  it('treats a session Gameye no longer has as stopped', async () => {
    const w = world();
    const ready = w.ready('m-1');
    w.gameye.sessions.delete(ready.sessionId);
    expect(await stopEndedMatch(ended('m-1'), placementSide(w))).toMatchObject({ stop: 'stopped' });
    expect(w.store.stored('m-1').stoppedAt).toBeDefined();
  });

  it('asks SQS to come back for a match still being placed, or one the reaper is changing', async () => {
    const w = world();
    const placing = newPlacingRecord({
      matchId: 'm-placing',
      sessionId: sessionIdFor('m-placing', NAMESPACE),
      profile: 'arena',
      image: 'arena-server',
      players: [],
      activeShards: 8,
      now: w.clock.now(),
    });
    w.store.seed(placing);
    await expect(stopEndedMatch(ended('m-placing'), placementSide(w))).rejects.toMatchObject({
      name: 'TransientPlacementError',
      reason: 'not-ready-yet',
    });

    w.ready('m-raced');
    w.store.beforeTransition = () => {
      throw new StateConflictError('the reaper moved it first');
    };
    await expect(stopEndedMatch(ended('m-raced'), placementSide(w))).rejects.toMatchObject({
      reason: 'concurrent-update',
    });
    expect(w.gameye.calls.stop).toBe(0);
  });

  it('stops and archives at once for an operator (bridge stop), and a second call does no harm', async () => {
    const w = world();
    w.ready('m-1');
    expect(await endMatch(body('m-1'), w.deps)).toMatchObject({
      kind: 'ending',
      finished: 'ended',
      first: true,
    });
    expect(w.store.stored('m-1')).toMatchObject({ state: 'ENDED', endReason: 'match-ended' });
    expect(await endMatch(body('m-1'), w.deps)).toMatchObject({ kind: 'already-ended', state: 'ENDED' });
    expect(await endMatch(body('nobody'), w.deps)).toEqual({ kind: 'unknown-match', matchId: 'nobody' });
    expect(w.gameye.calls.stop).toBe(1);
    expect(w.publisher.events).toHaveLength(1);
  });

  it('keeps a MatchFound that arrives after its MatchEnded from starting a server', async () => {
    // SQS does not keep order: the backend's MatchEnded can overtake the matchmaker's MatchFound.
    const w = world();
    expect(await stopEndedMatch(ended('m-late'), placementSide(w))).toEqual({
      kind: 'unknown-match',
      matchId: 'm-late',
    });
    expect(w.store.stored('m-late')).toMatchObject({
      state: 'FAILED',
      failure: { reason: 'ended-before-placed' },
    });
    expect(w.store.stored('m-late').activeShard).toBeUndefined();
    expect(w.publisher.events).toEqual([]);
  });

  it('is an invalid event without its type or match id', async () => {
    const w = world();
    expect((await endMatch(JSON.stringify({ version: 1, matchId: 'm' }), w.deps)).kind).toBe('invalid');
  });
});

describe('contracts', () => {
  it('uses one list of stop reasons for the core and the metric dimension', () => {
    expect(METRIC_STOP_REASONS).toBe(STOP_REASONS);
  });

  it('publishes a JSON Schema for MatchEnded with its type', () => {
    const schema = jsonSchemas()['match-ended-v1'] as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(schema.required).toContain('type');
    expect(schema.properties.type).toEqual({ type: 'string', const: 'MatchEnded' });
  });

  it('slugs artifact paths into distinct, key-safe names', () => {
    expect(pathSlug('/home/gameserver/logs')).toMatch(/^home-gameserver-logs-[0-9a-f]{8}$/);
    expect(pathSlug('/a/b')).not.toBe(pathSlug('/a-b'));
  });
});
