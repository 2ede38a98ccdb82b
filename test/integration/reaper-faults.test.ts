/**
 * The reaper under Gameye faults, a tiny time budget and a 100 MB artifact, on real local
 * services. Nothing is lost, nothing archived twice, and memory stays flat while streaming.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import { emulatorClock, type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { allRecords } from './helpers.ts';
import { seedSessions } from './reaper-seed.ts';

async function start(extra: Record<string, unknown> = {}): Promise<LocalBridge> {
  const config = { ...structuredClone(defaultEmulatorConfigInput), startupDelayMs: 0, ...extra };
  let clock: { now(): number } = { now: () => Date.now() };
  const bridge = await startLocalBridge({ emulatorConfig: config, clock: { now: () => clock.now() } });
  clock = emulatorClock(bridge.emulator);
  return bridge;
}

async function seed(bridge: LocalBridge, count: number, prefix: string): Promise<void> {
  await seedSessions({
    emulator: bridge.emulator,
    dynamodb: bridge.aws.clients.dynamodb,
    tableName: bridge.resources.tableName,
    config: bridge.env.config,
    matchIds: Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
    profile: 'arena-casual',
    location: 'eu-west-1',
  });
}

async function objectKeys(bridge: LocalBridge): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await bridge.aws.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bridge.resources.bucket, ContinuationToken: token }),
    );
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = out.NextContinuationToken;
  } while (token);
  return keys;
}

describe('reaper under Gameye faults and a tiny time budget', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    bridge = await start();
    await seed(bridge, 40, 'f');
    bridge.emulator.admin.advanceClock(16_000);
  }, 60_000);
  afterAll(async () => {
    await bridge?.close();
  });

  it('retries faulted stops and downloads on later runs, losing and duplicating nothing', async () => {
    const admin = bridge.emulator.admin;
    for (const op of ['session-stop', 'artifacts', 'stream-logs'] as const) {
      admin.setFaults(op, { error500Probability: 0.3, resetProbability: 0.1 });
    }
    let runs = 0;
    let pending = 1;
    while (pending > 0 && runs < 40) {
      pending = (await bridge.runReaperOnce({ concurrency: 8 })).pending;
      runs++;
      if (runs === 4)
        for (const op of ['session-stop', 'artifacts', 'stream-logs'] as const)
          admin.setFaults(op, undefined);
    }
    const records = await allRecords(bridge);
    expect(records.every((r) => r.state === 'ENDED' && r.endReason === 'no-players-joined')).toBe(true);
    for (const r of records) expect(r.archive?.files).toHaveLength(3);
    const keys = await objectKeys(bridge);
    // 2 artifacts + logs + manifest per session, each exactly once (keys are deterministic).
    expect(keys).toHaveLength(40 * 4);
  }, 60_000);
});

describe('reaper with a tiny time budget', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    bridge = await start();
    await seed(bridge, 30, 't');
    bridge.emulator.admin.advanceClock(16_000);
  }, 60_000);
  afterAll(async () => {
    await bridge?.close();
  });

  it('stops early and cleanly, and the next run finishes the work', async () => {
    const first = await bridge.runReaperOnce({ budgetMs: 150, reserveMs: 100, concurrency: 1 });
    expect(first.outOfTime).toBe(true);
    expect(first.ended).toBeLessThan(30);
    const second = await bridge.runReaperOnce();
    expect(first.ended + second.ended).toBe(30);
    expect((await allRecords(bridge)).every((r) => r.state === 'ENDED')).toBe(true);
  }, 60_000);
});

describe('a 100 MB artifact', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    bridge = await start({
      artifacts: { synthetic: { path: '/home/gameserver/logs/big.bin', sizeBytes: 100 * 1024 * 1024 } },
    });
    await seed(bridge, 1, 'big');
    bridge.emulator.admin.advanceClock(16_000);
  }, 60_000);
  afterAll(async () => {
    await bridge?.close();
  });

  // RSS cannot be bounded here: fauxqs runs in this process and keeps the stored 100 MB
  // object (and its parts) in memory. The JS heap is ours alone to bloat by buffering.
  it('is archived with a flat JS heap', async () => {
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    try {
      const result = await bridge.runReaperOnce();
      expect(result.ended).toBe(1);
    } finally {
      clearInterval(sampler);
    }
    const [record] = await allRecords(bridge);
    const logs = record?.archive?.files.find((f) => f.path === '/home/gameserver/logs');
    expect(logs?.size).toBeGreaterThan(100 * 1024 * 1024);
    expect(peakHeap - before.heapUsed).toBeLessThan(60 * 1024 * 1024);
  }, 120_000);
});
