/**
 * Open Match 2 and Nakama matches on real local services (dynalite, fauxqs, the Gameye
 * emulator), delivered 1 to 3 times each among invalid messages and messages of a format the
 * deployment does not accept: one session per valid match, in the region its latencies pick,
 * and every other message in the DLQ with its reason. Nothing is lost.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { LOCAL_CONFIG_PATH, type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import { aFlexMatchEvent, aNakamaMatched, anOpenMatch2Match } from '../fixtures/native.ts';
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
};
/**
 * Matchmaker region names the local config aliases: `dublin` → `eu-west-1`, …, one per Gameye
 * location (the config also aliases FlexMatch's AWS region codes, `eu-central-1` beside
 * `frankfurt`; a player's latency to a location is the worst over its names).
 */
const REGIONS = Object.keys(localConfig.regionAliases).filter(
  (name, i, all) =>
    all.findIndex((other) => localConfig.regionAliases[other] === localConfig.regionAliases[name]) === i,
);

interface Planned {
  readonly matchId: string;
  readonly body: string;
  /** The Gameye location of the region every player measured lowest. */
  readonly expectedRegion: string;
}

/** Matches whose players all measure one region lowest, so the expected location is plain. */
function plan(count: number, seed: number): Planned[] {
  const rnd = seeded(seed);
  return Array.from({ length: count }, (_, m) => {
    const best = REGIONS[Math.floor(rnd() * REGIONS.length)] ?? 'dublin';
    const players = 2 + Math.floor(rnd() * 6);
    const latencies = () =>
      Object.fromEntries(
        REGIONS.map((r) => [r, r === best ? 10 + Math.floor(rnd() * 20) : 80 + Math.floor(rnd() * 200)]),
      );
    const expectedRegion = localConfig.regionAliases[best] ?? best;
    if (m % 2 === 0) {
      const matchId = `om-${seed}-${m}`;
      const tickets = Array.from({ length: players }, (_, p) => ({
        id: `${matchId}-t${p}`,
        attributes: {
          doubleArgs: Object.fromEntries(
            Object.entries(latencies()).map(([r, ms]) => [`latency-ms.${r}`, ms]),
          ),
        },
      }));
      const rosters = {
        red: { tickets: tickets.filter((_, i) => i % 2 === 0) },
        blue: { tickets: tickets.filter((_, i) => i % 2 === 1) },
      };
      return { matchId, body: JSON.stringify(anOpenMatch2Match({ id: matchId, rosters })), expectedRegion };
    }
    const matchId = `nk-${seed}-${m}.node1`;
    const entries = Array.from({ length: players }, (_, p) => ({
      presence: { userId: `${matchId}-u${p}`, sessionId: `s-${p}`, username: `user${p}`, node: 'node1' },
      properties: {
        team: p % 2 === 0 ? 'red' : 'blue',
        ...Object.fromEntries(Object.entries(latencies()).map(([r, ms]) => [`latency_${r}`, ms])),
      },
    }));
    return { matchId, body: JSON.stringify(aNakamaMatched({ matchId, entries })), expectedRegion };
  });
}

describe('Open Match 2 and Nakama matches on local services', () => {
  let bridge: LocalBridge;
  const matches = plan(60, 11);
  const invalid = {
    'om-negative': JSON.stringify(
      anOpenMatch2Match({
        id: 'om-bad-1',
        rosters: {
          red: { tickets: [{ id: 'om-bad-1-t', attributes: { doubleArgs: { 'latency-ms.dublin': -1 } } }] },
        },
      }),
    ),
    'nk-duplicate': JSON.stringify(
      aNakamaMatched({
        matchId: 'nk-bad-1',
        entries: [{ presence: { userId: 'same' } }, { presence: { userId: 'same' } }],
      }),
    ),
    'nk-profile': JSON.stringify(
      aNakamaMatched({
        matchId: 'nk-bad-2',
        entries: [{ presence: { userId: 'u' }, properties: { profile: 'no-such' } }],
      }),
    ),
    flexmatch: JSON.stringify(aFlexMatchEvent()),
  };
  let deliveries = 0;

  beforeAll(async () => {
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig({
        sources: {
          matchFound: {},
          openMatch2: { latencyPrefix: 'latency-ms.', profileKey: 'profile', defaultProfile: 'arena-casual' },
          nakama: {
            latencyPrefix: 'latency_',
            teamProperty: 'team',
            profileProperty: 'profile',
            defaultProfile: 'arena-casual',
          },
        },
      }),
      emulatorConfig: roomyEmulator(),
      concurrency: 3,
    });
    const rnd = seeded(5);
    const bodies: string[] = [];
    for (const [i, m] of matches.entries()) {
      const copies = 1 + Math.floor(rnd() * 3);
      // Every fourth match has its copies side by side: same batch, processed concurrently.
      for (let c = 0; c < copies; c++) {
        if (i % 4 === 0) bodies.push(m.body);
        else bodies.splice(Math.floor(rnd() * (bodies.length + 1)), 0, m.body);
      }
    }
    for (const body of Object.values(invalid))
      bodies.splice(Math.floor(rnd() * (bodies.length + 1)), 0, body);
    deliveries = bodies.length;
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, bodies);
    bridge.eventSource.start();
    await waitForDrain(bridge, 240_000);
  }, 300_000);
  afterAll(async () => bridge?.close());

  it('starts exactly one session per valid match, in the region its players’ latencies pick', async () => {
    const byMatch = sessionsByMatch(bridge);
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    expect(deliveries).toBeGreaterThan(matches.length);
    expect(bridge.emulator.admin.sessions()).toHaveLength(matches.length);
    const wrong: string[] = [];
    for (const m of matches) {
      expect(byMatch.get(m.matchId), m.matchId).toHaveLength(1);
      const record = records.get(m.matchId);
      expect(record?.state, m.matchId).toBe('READY');
      if (record?.region !== m.expectedRegion)
        wrong.push(`${m.matchId}: ${record?.region} != ${m.expectedRegion}`);
    }
    expect(wrong).toEqual([]);
  });

  it('records the rosters and team properties as teams', async () => {
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    for (const m of matches) {
      const teams = new Set(records.get(m.matchId)?.players.map((p) => p.team));
      expect(teams, m.matchId).toEqual(new Set(['red', 'blue']));
    }
  });

  it('parks every invalid or unaccepted message in the DLQ with its reason, and nothing else', async () => {
    const dlq = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    const letter = (body: string) => {
      const m = dlq.find((d) => d.Body === body);
      return [
        m?.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue,
        m?.MessageAttributes?.[DLQ_ATTRIBUTES.message]?.StringValue ?? '',
      ];
    };

    expect(dlq).toHaveLength(Object.keys(invalid).length);
    expect(letter(invalid['om-negative'])).toEqual([
      'invalid-event',
      'invalid Open Match 2 message: rosters.red.tickets[0].attributes.doubleArgs.latency-ms.dublin: expected a latency of at least 0 ms',
    ]);
    expect(letter(invalid['nk-duplicate'])).toEqual([
      'invalid-event',
      'invalid Nakama message: entries[1].presence.userId: duplicate user id same',
    ]);
    expect(letter(invalid['nk-profile'])).toEqual(['unknown-profile', 'no profile named "no-such"']);
    expect(letter(invalid.flexmatch)).toEqual([
      'format-not-accepted',
      'this deployment does not accept FlexMatch messages: its bridge config names no sources.flexMatch',
    ]);
  });

  it('announces every valid match with SessionReady (at least once, every copy the same) and each invalid one it can name with SessionFailed', async () => {
    const events = await backendEvents(bridge);
    // Delivery is at least once: duplicates processed side by side may each announce the match
    // (subscribers dedupe on sessionId), but every announcement of a match says the same.
    const ready = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.type !== 'SessionReady') continue;
      const said = JSON.stringify([e.sessionId, e.region, e.host, e.ports]);
      ready.set(e.matchId, (ready.get(e.matchId) ?? new Set()).add(said));
    }
    const failed = events
      .filter((e) => e.type === 'SessionFailed')
      .map((e) => e.matchId)
      .sort();

    expect([...ready.keys()].sort()).toEqual(matches.map((m) => m.matchId).sort());
    for (const [matchId, said] of ready) expect(said.size, matchId).toBe(1);
    expect(failed).toEqual(['nk-bad-1', 'nk-bad-2', 'om-bad-1']);
  });
});
