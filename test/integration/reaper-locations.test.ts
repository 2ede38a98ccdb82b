/**
 * How a reaper run reads Gameye and the index, on real local services (dynalite, fauxqs, the
 * Gameye emulator): Gameye listed one location at a time, the index read for the decision
 * attributes only, whole records read only for the records the run acts on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReaperHandler } from '../../lambdas/handlers/reaper-handler.ts';
import { defaultEmulatorConfigInput, type EmulatorStats } from '../../tools/gameye-emulator/index.ts';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';
import { allRecords, startBridgeOnEmulatorClock } from './helpers.ts';
import { seedSessions } from './reaper-seed.ts';

const PLAYING = ['eu-west-1', 'us-east-1', 'eu-central'];
const PER_LOCATION = 10;

describe('a reaper run over sessions in several locations', () => {
  let bridge: LocalBridge;
  const orphans = new Map<string, string>();
  const neverJoined: string[] = [];
  const playing: string[] = [];

  beforeAll(async () => {
    const emulatorConfig = { ...structuredClone(defaultEmulatorConfigInput), startupDelayMs: 0 };
    bridge = await startBridgeOnEmulatorClock({ emulatorConfig });
    const base = {
      emulator: bridge.emulator,
      dynamodb: bridge.aws.clients.dynamodb,
      tableName: bridge.resources.tableName,
      config: bridge.env.config,
      profile: 'arena-casual',
    };
    // Orphans where no record runs: only the config and Gameye's offer name that location.
    const lost = ['lost-0', 'lost-1', 'lost-2'];
    for (const [m, id] of await seedSessions({
      ...base,
      matchIds: lost,
      location: 'sa-east',
      withRecord: false,
    }))
      orphans.set(m, id);
    bridge.emulator.admin.advanceClock(bridge.env.config.orphanGraceMs + 60_000);

    const now = new Date(bridge.emulator.admin.now()).toISOString();
    playing.push(...Array.from({ length: PER_LOCATION * PLAYING.length }, (_, i) => `playing-${i}`));
    await seedSessions({
      ...base,
      matchIds: playing,
      location: PLAYING,
      playerCount: 2,
      patch: { firstPlayerAt: now },
    });
    neverJoined.push(...PLAYING.map((_, i) => `empty-${i}`));
    await seedSessions({ ...base, matchIds: neverJoined, location: PLAYING });
    bridge.emulator.admin.advanceClock(16_000);
  }, 120_000);

  afterAll(async () => {
    await bridge?.close();
  });

  it('lists each location once, reads whole only the records it stops, and finds the orphans where no record runs', async () => {
    const admin = bridge.emulator.admin;
    const reap = makeReaperHandler(bridge.reaper.deps, { reserveMs: 0 });
    const before = admin.stats();
    bridge.reaper.requests.reset();

    const run = await reap({}, { getRemainingTimeInMillis: () => 600_000 });

    const calls = (op: keyof EmulatorStats) => admin.stats()[op] - before[op];
    // The config names all seven emulated locations; its two profiles' images are offered.
    expect(calls('session-list')).toBe(7);
    expect(calls('get-available-locations')).toBe(2);
    // Each orphan is described before it is claimed; no record needed a describe.
    expect(calls('describe-session')).toBe(orphans.size);
    expect(run).toMatchObject({
      active: playing.length + neverJoined.length,
      stopping: { 'no-players-joined': neverJoined.length, orphan: orphans.size },
      ended: neverJoined.length + orphans.size,
      pending: 0,
    });
    const requests = bridge.reaper.requests.snapshot();
    // One whole read per record stopped, one per orphan to ask its match's record first.
    expect(requests['dynamodb.GetItemCommand']).toBe(neverJoined.length + orphans.size);
    // One query per shard the index is read over, and one of a shard it no longer is.
    expect(requests['dynamodb.QueryCommand']).toBe(bridge.env.config.activeShards + 1);

    const byMatch = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    for (const m of playing) expect(byMatch.get(m)?.state).toBe('READY');
    for (const m of neverJoined)
      expect(byMatch.get(m)).toMatchObject({ state: 'ENDED', endReason: 'no-players-joined' });
    for (const [m, id] of orphans)
      expect(byMatch.get(`orphan:${id}`)).toMatchObject({ state: 'ENDED', orphanOf: m, region: 'sa-east' });
  }, 120_000);
});
