/**
 * The reaper on real local services (dynalite, fauxqs S3/SNS, the Gameye emulator), 2,000
 * active sessions, the emulator's virtual clock shared with the bridge's clock. Known sets are
 * idle, never joined, over age, crashed, ended by MatchEnded and orphaned: exactly those are
 * stopped and archived, with their reasons, and nothing else is touched.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';
import { allRecords, backendEvents, reapOnce, roomyEmulator, startBridgeOnEmulatorClock } from './helpers.ts';
import { seedSessions } from './reaper-seed.ts';

const TOTAL = 2_000;
const SET = 25;

async function sha256Of(body: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk);
  return hash.digest('hex');
}

describe('reaper over 2,000 active sessions', () => {
  let bridge: LocalBridge;
  const ids = new Map<string, string>();
  const sets = {
    idle: [] as string[],
    neverJoined: [] as string[],
    overAge: [] as string[],
    crashed: [] as string[],
    matchEnded: [] as string[],
    normal: [] as string[],
  };
  const orphans = new Map<string, string>();

  beforeAll(async () => {
    // A nonzero start delay would age everything; the clock is what tests move.
    const emulatorConfig = { ...roomyEmulator(), startupDelayMs: 0 };
    bridge = await startBridgeOnEmulatorClock({ emulatorConfig });
    const config = bridge.env.config;
    const base = {
      emulator: bridge.emulator,
      dynamodb: bridge.aws.clients.dynamodb,
      tableName: bridge.resources.tableName,
      config,
      profile: 'arena-casual',
      location: 'eu-west-1',
    };

    // Orphans first: running under our label, no record, then older than the grace.
    const orphanIds = Array.from({ length: SET }, (_, i) => `orphan-match-${i}`);
    for (const [m, id] of await seedSessions({ ...base, matchIds: orphanIds, withRecord: false }))
      orphans.set(m, id);
    bridge.emulator.admin.advanceClock(config.orphanGraceMs + 60_000);

    const names = Array.from({ length: TOTAL - SET }, (_, i) => `m-${i}`);
    const overAge = names.slice(0, SET);
    for (const [m, id] of await seedSessions({ ...base, matchIds: overAge, readyAgoMs: 590_000 }))
      ids.set(m, id);
    for (const [m, id] of await seedSessions({ ...base, matchIds: names.slice(SET) })) ids.set(m, id);
    sets.overAge = overAge;
    sets.idle = names.slice(SET, 2 * SET);
    sets.neverJoined = names.slice(2 * SET, 3 * SET);
    sets.crashed = names.slice(3 * SET, 4 * SET);
    sets.matchEnded = names.slice(4 * SET, 5 * SET);
    sets.normal = names.slice(5 * SET);
    const admin = bridge.emulator.admin;
    for (const m of [...sets.normal, ...sets.idle, ...sets.overAge, ...sets.matchEnded])
      admin.setPlayerCount(ids.get(m) as string, 2);
    for (const m of sets.crashed) admin.crash(ids.get(m) as string, 'dead');
  }, 120_000);

  afterAll(async () => {
    await bridge?.close();
  });

  it('stops exactly the idle, never-joined, over-age, crashed, ended and orphaned sessions, with their reasons', async () => {
    const admin = bridge.emulator.admin;
    // MatchEnded through the placement handler (same queue, routed by `type`), twice for one.
    const records = [...sets.matchEnded, sets.matchEnded[0] as string, 'never-placed'].map((matchId, i) => ({
      messageId: `end-${i}`,
      body: JSON.stringify({ type: 'MatchEnded', version: 1, matchId }),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
    }));
    const answer = await bridge.handler({ Records: records } as unknown as SQSEvent, {
      getRemainingTimeInMillis: () => 60_000,
      awsRequestId: 'test',
    });
    expect(answer.batchItemFailures).toEqual([]);

    await reapOnce(bridge, { concurrency: 8 });
    for (const m of sets.idle) admin.setPlayerCount(ids.get(m) as string, 0);
    admin.advanceClock(16_000);
    await reapOnce(bridge, { concurrency: 8 });
    admin.advanceClock(21_000);
    const last = await reapOnce(bridge, { concurrency: 8 });
    expect(last.pending).toBe(0);

    const byMatch = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    const expected: [string[], string][] = [
      [sets.idle, 'idle'],
      [sets.neverJoined, 'no-players-joined'],
      [sets.overAge, 'max-lifetime'],
      [sets.crashed, 'crashed'],
      [sets.matchEnded, 'match-ended'],
    ];
    for (const [set, reason] of expected) {
      for (const m of set) expect(byMatch.get(m)).toMatchObject({ state: 'ENDED', endReason: reason });
    }
    for (const m of sets.normal) expect(byMatch.get(m)?.state).toBe('READY');
    for (const [m, id] of orphans) {
      expect(byMatch.get(`orphan:${id}`)).toMatchObject({ state: 'ENDED', endReason: 'orphan', orphanOf: m });
    }

    const stoppedIds = new Set(
      admin
        .sessions()
        .filter((s) => s.status !== 'running')
        .map((s) => s.id),
    );
    const expectStopped = new Set([
      ...[...sets.idle, ...sets.neverJoined, ...sets.overAge, ...sets.crashed, ...sets.matchEnded].map((m) =>
        ids.get(m),
      ),
      ...orphans.values(),
    ]);
    expect(stoppedIds).toEqual(expectStopped);

    const ended = (await backendEvents(bridge)).filter((e) => e.type === 'SessionEnded');
    expect(new Set(ended.map((e) => e.matchId)).size).toBe(5 * SET);
  }, 120_000);

  it('archives every artifact byte-identical to what the emulator serves, with the manifest beside them', async () => {
    const records = (await allRecords(bridge)).filter((r) => r.state === 'ENDED').slice(0, 20);
    const s3 = bridge.aws.clients.s3;
    for (const record of records) {
      const manifestKey = record.archive?.manifestKey as string;
      const manifest = JSON.parse(
        await ((
          await s3.send(new GetObjectCommand({ Bucket: bridge.resources.bucket, Key: manifestKey }))
        ).Body?.transformToString() ?? Promise.resolve('{}')),
      ) as { files: { path: string; key: string; sha256: string; size: number }[] };
      expect(manifest.files.map((f) => f.path).sort()).toEqual(
        ['/home/gameserver/logs', '/home/gameserver/match/result.json', 'logs'].sort(),
      );
      for (const file of manifest.files) {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: bridge.resources.bucket, Key: file.key }),
        );
        expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(file.sha256);
        if (file.path === 'logs') continue;
        const again = await fetch(
          `${bridge.emulator.url}/artifacts?session=${record.sessionId}&path=${encodeURIComponent(file.path)}`,
          { headers: { authorization: `Bearer ${bridge.emulator.token}` } },
        );
        expect(await sha256Of(again.body as unknown as AsyncIterable<Uint8Array>)).toBe(file.sha256);
      }
    }
  }, 60_000);
});
