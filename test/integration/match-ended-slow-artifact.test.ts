/**
 * MatchEnded under a slow 100 MB artifact, on real local services and the Gameye emulator: the
 * placement function records ENDING and stops the session without reading any artifact, so a
 * download paced to a byte a second cannot hold its batch; the reaper's next run archives the
 * artifact once it can be read, and its manifest's SHA-256 is the stored object's.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CUT_OFF_RUNS } from '../../lambdas/core/reaper/finish-ending.ts';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';
import { toRecord } from '../../tools/local/sqs-event-source.ts';
import { steadyContext } from '../support/lambda-context.ts';
import { reapOnce, startBridgeOnEmulatorClock } from './helpers.ts';

const MB = 1024 * 1024;
/** Inside the profile's `/home/gameserver/logs` artifact folder. */
const BIG = '/home/gameserver/logs/big.bin';
/** The reaper's schedule: it runs every minute. */
const REAPER_PERIOD_MS = 60_000;

describe('MatchEnded with a slow 100 MB artifact', () => {
  let bridge: LocalBridge;

  beforeAll(async () => {
    const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
    emulatorConfig.startupDelayMs = 0;
    // The slow-artifact fault: every download paced to one byte a second (100 MB: three years).
    emulatorConfig.artifacts = { synthetic: { path: BIG, sizeBytes: 100 * MB }, bytesPerSecond: 1 };
    bridge = await startBridgeOnEmulatorClock({ emulatorConfig });
  }, 60_000);
  afterAll(async () => bridge?.close());

  const deliver = (id: string, body: unknown) =>
    bridge.handler(
      { Records: [toRecord({ MessageId: id, ReceiptHandle: id, Body: JSON.stringify(body) }, 'local')] },
      steadyContext(),
    );

  it('stops the session at once, leaves the archive to the reaper, and the archive holds', async () => {
    const matchId = 'slow-artifact';
    const placed = await deliver('m-1', {
      version: 1,
      matchId,
      profile: 'arena-casual',
      players: [{ id: 'p1', latencies: { frankfurt: 20 } }],
    });
    expect(placed.batchItemFailures).toEqual([]);
    const sessionId = (await bridge.deps.store.get(matchId))?.sessionId;

    // Any read of the paced artifact here would never finish, and the test would time out.
    const ended = await deliver('m-2', { type: 'MatchEnded', version: 1, matchId });

    expect(ended.batchItemFailures).toEqual([]);
    const ending = await bridge.deps.store.get(matchId);
    expect(ending).toMatchObject({ state: 'ENDING', endReason: 'match-ended' });
    expect(ending?.stoppedAt).toBeDefined();
    expect(ending?.archive).toEqual({ files: [], missing: [] });
    const stopped = bridge.emulator.admin.sessions().find((s) => s.id === sessionId);
    expect(stopped?.status).toBe('exited');

    // A reaper period later the artifact can still be read (Gameye keeps a stopped container's
    // files a while), now at full speed.
    bridge.emulator.admin.advanceClock(REAPER_PERIOD_MS);
    bridge.emulator.admin.setConfig({ artifacts: { synthetic: { path: BIG, sizeBytes: 100 * MB } } });
    const run = await reapOnce(bridge);

    expect(run).toMatchObject({ ended: 1, pending: 0 });
    const record = await bridge.deps.store.get(matchId);
    expect(record?.state).toBe('ENDED');
    const logs = record?.archive?.files.find((f) => f.path === '/home/gameserver/logs');
    expect(logs?.size).toBeGreaterThan(100 * MB);
    const object = await bridge.aws.clients.s3.send(
      new GetObjectCommand({ Bucket: bridge.resources.bucket, Key: logs?.key }),
    );
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(logs?.sha256);
  }, 180_000);

  it("cuts a trickling download off at each run's deadline, then records it missing and ends the record", async () => {
    const matchId = 'trickle';
    bridge.emulator.admin.setConfig({
      artifacts: { synthetic: { path: BIG, sizeBytes: 100 * MB }, bytesPerSecond: 1 },
    });
    await deliver('t-1', {
      version: 1,
      matchId,
      profile: 'arena-casual',
      players: [{ id: 'p1', latencies: { frankfurt: 20 } }],
    });
    await deliver('t-2', { type: 'MatchEnded', version: 1, matchId });
    const admin = bridge.emulator.admin;
    // Each run's deadline comes as soon as it opens a download: every download it starts
    // trickles past it, as a one-byte-a-second artifact does past any Lambda's deadline.
    const deadlineAtDownload = () => {
      const before = admin.stats().artifacts;
      return () => (admin.stats().artifacts > before ? 0 : Number.POSITIVE_INFINITY);
    };

    const paths = bridge.env.config.profiles['arena-casual']?.artifactPaths ?? [];
    let runs = 0;
    while (
      (await bridge.deps.store.get(matchId))?.state === 'ENDING' &&
      runs <= paths.length * MAX_CUT_OFF_RUNS
    ) {
      bridge.emulator.admin.advanceClock(REAPER_PERIOD_MS);
      await reapOnce(bridge, { remainingTimeMs: deadlineAtDownload(), reserveMs: 2 });
      runs += 1;
    }

    const record = await bridge.deps.store.get(matchId);
    expect(record?.state).toBe('ENDED');
    expect(record?.archive?.missing).toContainEqual({
      path: '/home/gameserver/logs',
      reason: `download exceeded the reaper's time budget in ${MAX_CUT_OFF_RUNS} runs`,
    });
    expect(record?.archive?.files.map((f) => f.path)).toEqual(['logs']);
    expect(record?.archive?.manifestKey).toBeDefined();
  }, 180_000);
});
