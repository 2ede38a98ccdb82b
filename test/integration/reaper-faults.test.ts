/**
 * The reaper under Gameye faults and a run that runs out of time, on real local services:
 * nothing is lost, nothing archived twice. (Memory while streaming a 100 MB artifact is
 * `archive-memory.test.ts`, with fauxqs in a process of its own so only our memory counts.)
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import type { LocalBridge } from '../../tools/local/local-bridge.ts';
import { allRecords, reapOnce, startBridgeOnEmulatorClock } from './helpers.ts';
import { seedSessions } from './reaper-seed.ts';

/**
 * For the calling describe: a bridge on the emulator's clock with `count` READY sessions that
 * no player joined, aged past the join grace, so the first reaper run stops them all.
 */
function useIdleSessions(count: number, prefix: string): { readonly bridge: LocalBridge } {
  let bridge: LocalBridge | undefined;
  beforeAll(async () => {
    bridge = await startBridgeOnEmulatorClock({
      emulatorConfig: { ...structuredClone(defaultEmulatorConfigInput), startupDelayMs: 0 },
    });
    await seedSessions({
      emulator: bridge.emulator,
      dynamodb: bridge.aws.clients.dynamodb,
      tableName: bridge.resources.tableName,
      config: bridge.env.config,
      matchIds: Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
      profile: 'arena-casual',
      location: 'eu-west-1',
    });
    bridge.emulator.admin.advanceClock(16_000);
  }, 60_000);
  afterAll(async () => {
    await bridge?.close();
  });
  return {
    get bridge() {
      if (!bridge) throw new Error('the bridge runs only inside the tests of its describe');
      return bridge;
    },
  };
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

describe('reaper under Gameye faults', () => {
  const sessions = useIdleSessions(40, 'f');

  it('retries faulted stops and downloads on later runs, losing and duplicating nothing', async () => {
    const { bridge } = sessions;
    const admin = bridge.emulator.admin;
    for (const op of ['session-stop', 'artifacts', 'stream-logs'] as const) {
      admin.setFaults(op, { error500Probability: 0.3, resetProbability: 0.1 });
    }
    let runs = 0;
    let pending = 1;
    while (pending > 0 && runs < 40) {
      pending = (await reapOnce(bridge, { concurrency: 8 })).pending;
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

describe('reaper running out of time', () => {
  const sessions = useIdleSessions(30, 't');

  it('stops early and cleanly, and the next run finishes the work', async () => {
    const { bridge } = sessions;
    // Time runs out once the third session's logs are being read: every write to ENDING and
    // every stop comes before the first archive, and two sessions are archived whole.
    const admin = bridge.emulator.admin;
    const logsBefore = admin.stats()['stream-logs'];
    const first = await reapOnce(bridge, {
      remainingTimeMs: () => (admin.stats()['stream-logs'] - logsBefore >= 3 ? 0 : Number.POSITIVE_INFINITY),
      reserveMs: 0,
      concurrency: 1,
    });
    expect(first.outOfTime).toBe(true);
    expect(first.ended).toBeGreaterThan(0);
    expect(first.ended).toBeLessThan(30);
    // Every server was stopped in the first run, archived or not.
    expect((await allRecords(bridge)).every((r) => r.stoppedAt !== undefined)).toBe(true);

    const second = await reapOnce(bridge);

    expect(first.ended + second.ended).toBe(30);
    expect((await allRecords(bridge)).every((r) => r.state === 'ENDED')).toBe(true);
    // 2 artifacts + logs + manifest per session, each exactly once: the first run's uploads are not redone.
    expect(await objectKeys(bridge)).toHaveLength(30 * 4);
  }, 60_000);
});
