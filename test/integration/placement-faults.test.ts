/**
 * Crashes and Gameye faults during placement, on real local services: whatever happens, every
 * match ends READY or FAILED with its reason, with at most one Gameye session, and nothing lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPublisher, SessionStore } from '../../lambdas/core/ports.ts';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import { type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import {
  allRecords,
  backendEvents,
  drainQueue,
  sendBodies,
  sessionsByMatch,
  waitForDrain,
} from './helpers.ts';

const LOCATIONS = ['dublin', 'frankfurt', 'virginia', 'new-york', 'singapore', 'tokyo', 'sao-paulo'];

function match(matchId: string, near: string, players = 4): string {
  return JSON.stringify({
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: Array.from({ length: players }, (_, i) => ({
      id: `${matchId}-p${i}`,
      latencies: Object.fromEntries(LOCATIONS.map((l, j) => [l, l === near ? 20 + i : 80 + 10 * j + i])),
    })),
  });
}

function emulatorWith(capacity: Record<string, number> = {}) {
  const config = structuredClone(defaultEmulatorConfigInput);
  for (const r of config.regions) r.capacity = capacity[r.name] ?? 2_000;
  return config;
}

/** A crash: the step throws once for the chosen matches, as a dying Lambda would stop there. */
class Crash extends Error {
  override readonly name = 'InjectedCrash';
}

let bridge: LocalBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

describe('a crash between two placement steps', () => {
  it('after the Gameye call and before the READY write: redelivery adopts the one session', async () => {
    const crashed = new Set<string>();
    const victims = new Set(['crash-a-0', 'crash-a-1', 'crash-a-2', 'crash-a-3', 'crash-a-4']);
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: emulatorWith(),
      wrapStore: (store): SessionStore => ({
        get: (id) => store.get(id),
        claim: (r) => store.claim(r),
        transition: async (next, expected) => {
          if (next.state === 'READY' && victims.has(next.matchId) && !crashed.has(next.matchId)) {
            crashed.add(next.matchId);
            throw new Crash(`crash before recording READY for ${next.matchId}`);
          }
          return store.transition(next, expected);
        },
      }),
    });
    const ids = [...victims, 'crash-a-ok-0', 'crash-a-ok-1'];
    await sendBodies(
      bridge.aws.clients.sqs,
      bridge.resources.matchesQueueUrl,
      ids.map((id) => match(id, 'dublin')),
    );
    bridge.eventSource.start();
    await waitForDrain(bridge);

    expect(crashed).toEqual(victims);
    const byMatch = sessionsByMatch(bridge);
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    for (const id of ids) {
      expect(byMatch.get(id), id).toHaveLength(1);
      expect(records.get(id)?.state, id).toBe('READY');
    }
    for (const id of victims) expect(records.get(id)?.via, id).toBe('adopted');
    const ready = (await backendEvents(bridge)).filter((e) => e.type === 'SessionReady');
    for (const id of ids)
      expect(
        ready.some((e) => e.matchId === id),
        id,
      ).toBe(true);
  });

  it('when publishing SessionReady fails after the Gameye call: redelivery adopts and publishes', async () => {
    const failedOnce = new Set<string>();
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: emulatorWith(),
      wrapPublisher: (publisher): EventPublisher => ({
        publish: async (event) => {
          if (event.type === 'SessionReady' && !failedOnce.has(event.matchId)) {
            failedOnce.add(event.matchId);
            throw new Crash(`crash before publishing for ${event.matchId}`);
          }
          return publisher.publish(event);
        },
      }),
    });
    const ids = ['crash-b-0', 'crash-b-1', 'crash-b-2'];
    await sendBodies(
      bridge.aws.clients.sqs,
      bridge.resources.matchesQueueUrl,
      ids.map((id) => match(id, 'tokyo')),
    );
    bridge.eventSource.start();
    await waitForDrain(bridge);

    const byMatch = sessionsByMatch(bridge);
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    const ready = (await backendEvents(bridge)).filter((e) => e.type === 'SessionReady');
    for (const id of ids) {
      expect(byMatch.get(id), id).toHaveLength(1);
      expect(records.get(id)?.state).toBe('READY');
      expect(records.get(id)?.publishedAt).toBeDefined();
      expect(ready.filter((e) => e.matchId === id).length, id).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('Gameye faults during placement', () => {
  it('20% 5xx, a full best region and hangs past the timeout: every match READY or FAILED, none duplicated', async () => {
    // eu-central is everyone's best region and holds only 5 sessions: the rest get 420 and move on.
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: emulatorWith({ 'eu-central': 5 }),
      concurrency: 2,
      functionTimeoutMs: 4_000,
    });
    bridge.emulator.admin.setFaults('session-run', {
      error500Probability: 0.1,
      error503Probability: 0.1,
      hangProbability: 0.02,
    });
    const ids = Array.from({ length: 60 }, (_, i) => `fault-${i}`);
    await sendBodies(
      bridge.aws.clients.sqs,
      bridge.resources.matchesQueueUrl,
      ids.map((id) => match(id, 'frankfurt')),
    );
    bridge.eventSource.start();
    await waitForDrain(bridge, 180_000);

    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    const byMatch = sessionsByMatch(bridge);
    const dlq = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    for (const id of ids) {
      const r = records.get(id);
      expect(['READY', 'FAILED'], `${id} is ${r?.state}: ${JSON.stringify(r?.attempts)}`).toContain(r?.state);
      if (r?.state === 'READY') expect(byMatch.get(id), id).toHaveLength(1);
      if (r?.state === 'FAILED') {
        expect(r.failure?.reason).toBeDefined();
        expect(
          dlq.some((m) => m.Body?.includes(`"${id}"`)),
          `${id} kept in the DLQ`,
        ).toBe(true);
      }
    }
    const ready = [...records.values()].filter((r) => r.state === 'READY');
    expect(ready.filter((r) => r.region === 'eu-central').length).toBeLessThanOrEqual(5);
    // The rest moved on. A match can leave eu-central for a 5xx or a hang there as well as for
    // its 420, so not every one names the full region; but the full region must be why some
    // moved: eu-central ranks ahead of the region chosen, or was dropped while cooling down.
    const movedOn = ready.filter((r) => r.region !== 'eu-central');
    expect(movedOn.length).toBeGreaterThan(0);
    const movedForFullRegion = movedOn.filter((r) => {
      const ranked = r.ranking?.candidates.findIndex((c) => c.region === 'eu-central') ?? -1;
      const cooling = r.ranking?.dropped.some(
        (d) => d.region === 'eu-central' && d.reason === 'cooling-down',
      );
      return cooling === true || (ranked >= 0 && ranked < (r.ranking?.chosenRank ?? 0));
    });
    expect(movedForFullRegion.length).toBeGreaterThan(0);
    const stats = bridge.emulator.admin.stats();
    console.log(
      `faults: ${ready.length} READY of ${ids.length}; POST /session calls ${stats['session-run']}`,
    );
    // Every emulator session belongs to a READY match: none leaked by a retry.
    for (const [matchId, sessions] of byMatch) {
      expect(sessions, matchId).toHaveLength(1);
      expect(records.get(matchId)?.state, matchId).toBe('READY');
    }
  });
});
