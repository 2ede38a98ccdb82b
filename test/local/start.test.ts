/**
 * `npm start`: the simulation's summary must agree with what the local services hold, and
 * every invariant must hold. The services are inspected here independently of the summary.
 */
import { spawnSync } from 'node:child_process';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { runSimulation, simulationConfig } from '../../tools/local/sim/run.ts';
import type { RunSummary } from '../../tools/local/sim/summary.ts';
import { queueDepth, scanRecords } from '../../tools/local/sim/summary.ts';

describe('npm start simulation', () => {
  let bridge: LocalBridge;
  let summary: RunSummary;
  beforeAll(async () => {
    bridge = await startLocalBridge({ bridgeConfig: simulationConfig() });
    summary = await runSimulation(
      { matches: 30, rate: 30, seed: 11, timeoutSeconds: 60, progress: () => {} },
      bridge,
    );
  }, 120_000);
  afterAll(async () => bridge?.close());

  it('holds every invariant', () => {
    expect(summary.invariants).toEqual({
      oneSessionPerMatch: true,
      noOrphanLeft: true,
      archivesIntact: true,
      nothingLost: true,
    });
  });

  it('reports the placements, stops and failures the services actually hold', async () => {
    const records = await scanRecords(bridge);
    const ended = records.filter((r) => r.state === 'ENDED');
    expect(summary.placed).toBe(records.filter((r) => r.readyAt !== undefined).length);
    expect(summary.placed).toBe(30);
    expect(Object.values(summary.placementsByRegion).reduce((a, b) => a + b, 0)).toBe(summary.placed);
    expect(Object.values(summary.stoppedByReason).reduce((a, b) => a + b, 0)).toBe(ended.length);
    // Every server the emulator started is stopped again, and there is exactly one per match.
    const sessions = bridge.emulator.admin.sessions();
    expect(sessions).toHaveLength(30);
    expect(sessions.every((s) => s.status === 'exited')).toBe(true);
  });

  it('counts the DLQ and the archive as they are', async () => {
    expect(summary.deadLettered).toBe(
      await queueDepth(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl),
    );
    expect(summary.deadLettered).toBe(summary.sent.malformed);
    expect(summary.failed.total).toBe(summary.sent.malformed);

    const listed = await bridge.aws.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bridge.resources.bucket }),
    );
    const manifests = (listed.Contents ?? []).filter((o) => o.Key?.endsWith('manifest.json'));
    expect(manifests).toHaveLength(30);
    expect(summary.artifacts.objects).toBe((listed.Contents?.length ?? 0) - manifests.length);
  });
});

describe('npm start --matchmaker flexmatch | openmatch2 | nakama', () => {
  const MATCHMAKERS = ['flexmatch', 'openmatch2', 'nakama'] as const;
  const runs = new Map<string, { bridge: LocalBridge; summary: RunSummary }>();
  const bridges: LocalBridge[] = [];
  // The three runs side by side, each on its own local services: they wait on the reaper's
  // compressed schedule, not on the CPU.
  beforeAll(async () => {
    await Promise.all(
      MATCHMAKERS.map(async (matchmaker) => {
        const bridge = await startLocalBridge({ bridgeConfig: simulationConfig(), gameLiftLatencyMs: 20 });
        bridges.push(bridge);
        const summary = await runSimulation(
          { matches: 12, rate: 40, seed: 5, timeoutSeconds: 60, progress: () => {}, matchmaker },
          bridge,
        );
        runs.set(matchmaker, { bridge, summary });
      }),
    );
  }, 150_000);
  afterAll(async () => {
    await Promise.all(bridges.map((b) => b.close()));
  });
  const run = (matchmaker: string) => {
    const found = runs.get(matchmaker);
    if (!found) throw new Error(`no run for ${matchmaker}`);
    return found;
  };

  it.each(MATCHMAKERS)(
    '%s: places every match once, refuses the malformed ones, holds every invariant',
    async (matchmaker) => {
      const { bridge, summary } = run(matchmaker);

      expect(summary.matchmaker).toBe(matchmaker);
      expect(summary.invariants).toEqual({
        oneSessionPerMatch: true,
        noOrphanLeft: true,
        archivesIntact: true,
        nothingLost: true,
      });
      expect(summary.placed).toBe(12);
      expect(bridge.emulator.admin.sessions()).toHaveLength(12);
      expect(summary.deadLettered).toBe(summary.sent.malformed);
      expect(summary.deadLettered).toBe(
        await queueDepth(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl),
      );
    },
  );

  it.each(MATCHMAKERS)(
    '%s: asks the GameLift stand-in for the tickets of FlexMatch matches only',
    async (matchmaker) => {
      const { bridge } = run(matchmaker);
      const records = await scanRecords(bridge);
      const asked = bridge.gamelift.calls().flatMap((c) => c.ticketIds);

      const lookedUp = records.filter((r) => asked.some((t) => t.startsWith(`${r.matchId}.t`)));

      expect(lookedUp).toHaveLength(matchmaker === 'flexmatch' ? 12 : 0);
    },
  );
});

describe('npm start --json', () => {
  it('prints the summary as one JSON object on the last line of stdout and exits 0', () => {
    const run = spawnSync(
      process.execPath,
      ['bin/start.ts', '--matches', '8', '--rate', '40', '--seed', '3', '--json'],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    const parsed = JSON.parse(last) as RunSummary;
    expect(parsed.sent.matches).toBe(8);
    expect(parsed.placed).toBe(8);
    expect(Object.values(parsed.invariants).every(Boolean)).toBe(true);
  }, 120_000);

  it('rejects a bad flag with exit code 2 and says why', () => {
    const run = spawnSync(process.execPath, ['bin/start.ts', '--matches', 'many'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--matches/);
    const players = spawnSync(process.execPath, ['bin/start.ts', '--players', '9-3'], { encoding: 'utf8' });
    expect(players.status).toBe(2);
    expect(players.stderr).toMatch(/--players must be a range/);
    const matchmaker = spawnSync(process.execPath, ['bin/start.ts', '--matchmaker', 'matchmaker9000'], {
      encoding: 'utf8',
    });
    expect(matchmaker.status).toBe(2);
    expect(matchmaker.stderr).toMatch(
      /--matchmaker must be one of match-found, flexmatch, openmatch2, nakama/,
    );
  });
});
