/**
 * Placement on real local services: dynalite, fauxqs SQS/SNS and the Gameye emulator, driven
 * through the local SQS event source exactly as Lambda's event source mapping drives it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { LOCAL_CONFIG_PATH, type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import {
  allRecords,
  backendEvents,
  drainQueue,
  roomyEmulator,
  seeded,
  sendBodies,
  sessionsByMatch,
  waitForDrain,
} from './helpers.ts';

const localConfig = JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as {
  regionAliases: Record<string, string>;
  regionPreference: string[];
};
const MATCHMAKER_REGIONS = Object.keys(localConfig.regionAliases);

interface Match {
  matchId: string;
  players: { id: string; latencies: Record<string, number> }[];
}

function world(count: number, seed: number): Match[] {
  const rnd = seeded(seed);
  return Array.from({ length: count }, (_, m) => ({
    matchId: `match-${seed}-${m}`,
    players: Array.from({ length: 2 + Math.floor(rnd() * 9) }, (_, p) => ({
      id: `p${m}-${p}`,
      latencies: Object.fromEntries(MATCHMAKER_REGIONS.map((r) => [r, 10 + Math.floor(rnd() * 290)])),
    })),
  }));
}

/**
 * The test's own oracle, written independently of lambdas/core/region-choice.ts: the Gameye
 * location with the lowest worst-player latency, then the lowest mean, then the configured
 * preference. A player's latency to a location several of its region names alias to is the
 * worst of them (the local config aliases both `frankfurt` and `eu-central-1` to
 * `eu-central`). (Every region is available and holds the image here.)
 */
function oracle(match: Match): string {
  const locations = [...new Set(MATCHMAKER_REGIONS.map((name) => localConfig.regionAliases[name] ?? name))];
  const scored = locations.map((location) => {
    const names = MATCHMAKER_REGIONS.filter((name) => (localConfig.regionAliases[name] ?? name) === location);
    const lat = match.players.map((p) =>
      Math.max(...names.map((name) => p.latencies[name] ?? Number.POSITIVE_INFINITY)),
    );
    return {
      location,
      worst: Math.max(...lat),
      mean: lat.reduce((a, b) => a + b, 0) / lat.length,
      pref: localConfig.regionPreference.indexOf(location),
    };
  });
  scored.sort((a, b) => a.worst - b.worst || a.mean - b.mean || a.pref - b.pref);
  return scored[0]?.location ?? 'none';
}

const bodyOf = (m: Match): string =>
  JSON.stringify({ version: 1, matchId: m.matchId, profile: 'arena-casual', players: m.players });

describe('placement of 500 matches delivered 1 to 3 times', () => {
  let bridge: LocalBridge;
  const matches = world(500, 7);
  let deliveries = 0;

  beforeAll(async () => {
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: roomyEmulator(),
      concurrency: 3,
    });
    const rnd = seeded(99);
    const bodies: string[] = [];
    for (const [i, m] of matches.entries()) {
      const copies = 1 + Math.floor(rnd() * 3);
      // Every fifth match has its copies side by side: same batch, processed concurrently.
      if (i % 5 === 0) for (let c = 0; c < copies; c++) bodies.push(bodyOf(m));
      else
        for (let c = 0; c < copies; c++) bodies.splice(Math.floor(rnd() * (bodies.length + 1)), 0, bodyOf(m));
    }
    deliveries = bodies.length;
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, bodies);
    bridge.eventSource.start();
    await waitForDrain(bridge, 240_000);
  }, 300_000);
  afterAll(async () => bridge?.close());

  it('starts exactly one Gameye session per match', () => {
    const byMatch = sessionsByMatch(bridge);
    expect(deliveries).toBeGreaterThan(matches.length);
    expect(bridge.emulator.admin.sessions()).toHaveLength(matches.length);
    for (const m of matches) expect(byMatch.get(m.matchId), m.matchId).toHaveLength(1);
  });

  it('records every match READY, published, in the region the oracle picks', async () => {
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    expect(records.size).toBe(matches.length);
    const wrong: string[] = [];
    for (const m of matches) {
      const r = records.get(m.matchId);
      expect(r?.state, m.matchId).toBe('READY');
      expect(r?.publishedAt, m.matchId).toBeDefined();
      if (r?.region !== oracle(m)) wrong.push(`${m.matchId}: ${r?.region} != ${oracle(m)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('delivers a SessionReady for every match to the subscribed backend queue', async () => {
    const events = await backendEvents(bridge);
    const ready = new Set(events.filter((e) => e.type === 'SessionReady').map((e) => e.matchId));
    expect(ready.size).toBe(matches.length);
    expect(events.every((e) => e.type === 'SessionReady')).toBe(true);
    const sample = events.find((e) => e.type === 'SessionReady');
    expect(sample?.type === 'SessionReady' && sample.ports['7777/udp']).toBeGreaterThanOrEqual(20_000);
  });

  it('leaves nothing in the DLQ and reports its AWS requests per match', async () => {
    const dlq = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    expect(dlq).toHaveLength(0);
    const counts = bridge.requests.snapshot();
    const perMatch = (prefix: string) => (bridge.requests.total(prefix) / matches.length).toFixed(2);
    console.log(
      `AWS requests for ${matches.length} matches / ${deliveries} deliveries: ` +
        `DynamoDB ${perMatch('dynamodb')}/match, SNS ${perMatch('sns')}/match`,
      counts,
    );
    expect(bridge.requests.total('sns')).toBeGreaterThanOrEqual(matches.length);
  });

  it('calls POST /session once per match, with locations from the short cache', () => {
    const stats = bridge.emulator.admin.stats();
    // Duplicates racing a claim may re-POST and get 409; never more than one per delivery.
    expect(stats['session-run']).toBeGreaterThanOrEqual(matches.length);
    expect(stats['session-run']).toBeLessThanOrEqual(deliveries);
    expect(stats['get-available-locations']).toBeLessThan(matches.length / 4);
  });
});

describe('invalid match events', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: roomyEmulator(),
    });
  });
  afterAll(async () => bridge?.close());

  it('end in the DLQ with a reason naming the field, leaving the rest of their batch placed', async () => {
    const good = world(4, 3).map(bodyOf);
    const player = { id: 'a', latencies: { dublin: 20 } };
    const bad: Record<string, string> = {
      'not-json': '{"version": 1, "matchId": ',
      'wrong-types': JSON.stringify({ version: 1, matchId: 42, profile: 'arena-casual', players: 'many' }),
      'no-players': JSON.stringify({
        version: 1,
        matchId: 'm-no-players',
        profile: 'arena-casual',
        players: [],
      }),
      negative: JSON.stringify({
        version: 1,
        matchId: 'm-negative',
        profile: 'arena-casual',
        players: [{ id: 'a', latencies: { dublin: -5 } }],
      }),
      absurd: JSON.stringify({
        version: 1,
        matchId: 'm-absurd',
        profile: 'arena-casual',
        players: [{ id: 'a', latencies: { dublin: 1e9 } }],
      }),
      'unknown-profile': JSON.stringify({
        version: 1,
        matchId: 'm-unknown',
        profile: 'nope',
        players: [player],
      }),
    };
    const bodies = [...good.slice(0, 2), ...Object.values(bad), ...good.slice(2)];
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, bodies);
    // A 1 MB body travels alone: SQS batches are limited to 1 MiB in total.
    const huge = JSON.stringify({
      version: 1,
      matchId: 'm-huge',
      profile: 'arena-casual',
      players: [player],
      pad: 'x'.repeat(1_000_000),
    });
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, [huge]);
    bridge.eventSource.start();
    await waitForDrain(bridge);

    const dlq = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    const reasonOf = (body: string) => {
      const m = dlq.find((d) => d.Body === body);
      return {
        reason: m?.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue,
        message: m?.MessageAttributes?.[DLQ_ATTRIBUTES.message]?.StringValue ?? '',
      };
    };
    expect(dlq).toHaveLength(Object.keys(bad).length + 1);
    expect(reasonOf(bad['not-json'] ?? '').reason).toBe('invalid-event');
    expect(reasonOf(bad['wrong-types'] ?? '').message).toMatch(/matchId/);
    expect(reasonOf(bad['wrong-types'] ?? '').message).toMatch(/players/);
    expect(reasonOf(bad['no-players'] ?? '').message).toMatch(/players/);
    expect(reasonOf(bad.negative ?? '').message).toMatch(/players\[0\]\.latencies\.dublin|latencies/);
    expect(reasonOf(bad.absurd ?? '').message).toMatch(/latencies/);
    expect(reasonOf(bad['unknown-profile'] ?? '').reason).toBe('unknown-profile');
    expect(reasonOf(huge).reason).toBe('invalid-event');
    expect(reasonOf(huge).message).toMatch(/bytes|size|large/i);

    const records = await allRecords(bridge);
    expect(records.filter((r) => r.state === 'READY')).toHaveLength(good.length);
    expect(bridge.emulator.admin.sessions()).toHaveLength(good.length);
  });
});
