/**
 * Every event the bridge publishes fits SNS's 256 KB by construction: each is built here from
 * the largest input the schemas allow, and measured as the SNS publisher would send it.
 *
 * What Gameye reports (host, ports, location) is not bounded by the bridge's schemas; the
 * test assumes a DNS host name (at most 253 characters), 64-character locations and 1,000
 * ports, and the publisher refuses anything that still ends up over the limit.
 */
import { describe, expect, it } from 'vitest';
import { snsMessageOf } from '../../lambdas/adapters/sns-publisher.ts';
import {
  type BridgeConfig,
  MAX_ARTIFACT_PATH_CHARS,
  MAX_ARTIFACT_PATHS,
  parseBridgeConfig,
} from '../../lambdas/core/config.ts';
import {
  backfillFailedFor,
  MAX_FAILURE_MESSAGE_CHARS,
  playersAssignedOf,
  type SessionEvent,
  sessionEndedOf,
  sessionFailedFor,
  sessionFailedOf,
  sessionReadyOf,
} from '../../lambdas/core/events.ts';
import { MAX_NOTE_CHARS, MAX_NOTES } from '../../lambdas/core/formats/translation.ts';
import {
  MAX_BODY_BYTES,
  MAX_LATENCIES_PER_PLAYER,
  MAX_PLAYERS,
  MatchBackfilledV1,
  MatchFoundV1,
  parseMatchFound,
} from '../../lambdas/core/match-event.ts';
import { chooseRegions, type RegionChoice } from '../../lambdas/core/placement/region-choice.ts';
import { rankingOf } from '../../lambdas/core/ranking.ts';
import { archiveLayout } from '../../lambdas/core/reaper/archive.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import {
  MAX_RECORDED_BACKFILLS,
  newPlacingRecord,
  type SessionRecord,
  toEnding,
  toFailed,
  toReady,
  withBackfill,
  withEndingProgress,
} from '../../lambdas/core/session-record.ts';
import { aBridgeConfigInput, NAMESPACE } from '../fixtures/config.ts';

/** Half SNS's limit: "well under" leaves room for whatever a future field adds. */
const WELL_UNDER_BYTES = 128 * 1024;
const NOW = Date.parse('2030-01-01T00:00:00.000Z');

const pad = (text: string, length: number): string => text.padEnd(length, 'x');
const location = (i: number): string => pad(`loc-${i}-`, 64);
const preferred = (i: number): string => pad(`pref-${i}-`, 64);
const measured = (i: number): string => pad(`mm-${i}-`, 64);

/**
 * Locations 0-31 are measured by every player through an alias: 0-11 host the match, 12-17
 * are not listed by Gameye, 18-23 lack the pinned tag, 24-27 cool down, 28-31 are over the
 * cap. Locations `pref-*` are preferred but measured by nobody. Each player's other 32
 * measurements name regions nothing maps: every drop reason has far more than five regions.
 */
function largestWorld(policy: 'best-effort' | 'fail', capMs: number) {
  const aliases = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [measured(i), location(i)]));
  const preference = [
    ...Array.from({ length: 32 }, (_, i) => location(i)),
    ...Array.from({ length: 20 }, (_, i) => preferred(i)),
  ];
  const config: Readonly<BridgeConfig> = parseBridgeConfig(
    aBridgeConfigInput({
      regionAliases: aliases,
      regionPreference: preference,
      latency: { capMs, whenNoneMeetsCap: policy },
      profiles: {
        arena: {
          image: 'arena-server',
          version: 'v42',
          artifactPaths: Array.from({ length: MAX_ARTIFACT_PATHS }, (_, i) =>
            pad(`/srv/artifact-${i}/`, MAX_ARTIFACT_PATH_CHARS),
          ),
        },
      },
    }),
  );
  const event = MatchFoundV1.parse({
    version: 1,
    matchId: pad('match-', 128),
    profile: 'arena',
    players: Array.from({ length: MAX_PLAYERS }, (_, p) => ({
      id: pad(`player-${p}-`, 128),
      team: pad(`team-${p}-`, 64),
      latencies: Object.fromEntries(
        Array.from({ length: MAX_LATENCIES_PER_PLAYER }, (_, r) =>
          r < 32 ? [measured(r), r >= 28 ? 9_000 : 100 + r] : [pad(`unknown-${p}-${r}-`, 64), 50],
        ),
      ),
    })),
  });
  const listed = Array.from({ length: 32 }, (_, i) => i).filter((i) => i < 12 || i >= 18);
  const available = new Set([...listed.map(location), ...Array.from({ length: 20 }, (_, i) => preferred(i))]);
  const choice: RegionChoice = chooseRegions({
    players: event.players,
    aliases: config.regionAliases,
    available,
    tagged: new Set([...available].filter((l) => !/^loc-(18|19|20|21|22|23)-/.test(l))),
    coolingDown: new Set([24, 25, 26, 27].map(location)),
    capMs: config.latency.capMs,
    whenNoneMeetsCap: config.latency.whenNoneMeetsCap,
    preference: config.regionPreference,
  });
  return { config, event, choice };
}

function aPlacingRecord(event: MatchFoundV1): SessionRecord {
  return newPlacingRecord({
    matchId: event.matchId,
    sessionId: sessionIdFor(event.matchId, NAMESPACE),
    profile: event.profile,
    image: 'arena-server',
    imageVersion: 'v42',
    players: event.players.map((p) => (p.team === undefined ? { id: p.id } : { id: p.id, team: p.team })),
    activeShards: 8,
    now: NOW,
  });
}

const GAMEYE_HOST = pad('host-', 253);
const GAMEYE_PORTS = Array.from({ length: 1_000 }, (_, i) => ({
  container: 10_000 + Math.floor(i / 2),
  protocol: i % 2 === 0 ? ('udp' as const) : ('tcp' as const),
  host: 50_000 + i,
}));

/** The current "no region may host this match" message: every drop, however many. */
function everyDrop(choice: RegionChoice): string {
  return choice.dropped.map((d) => `${d.region} ${d.reason}${d.detail ? ` (${d.detail})` : ''}`).join('; ');
}

function expectWellUnder(event: SessionEvent): void {
  const { bytes } = snsMessageOf(event);
  expect(bytes, `${event.type}: ${bytes} bytes`).toBeLessThan(WELL_UNDER_BYTES);
}

describe('the largest events', () => {
  it('builds its world from the largest input the schemas allow', () => {
    const { choice } = largestWorld('best-effort', 200);

    expect(choice.ranked.length).toBe(12);
    expect(new Set(choice.dropped.map((d) => d.reason))).toEqual(
      new Set(['not-available', 'tag-missing', 'no-alias', 'no-latency-data', 'cooling-down', 'over-cap']),
    );
    expect(choice.dropped.length).toBeGreaterThan(3_000);
  });

  it('SessionReady fits, with the chosen region beyond the published candidates, every ticket and every note', () => {
    const { event, choice } = largestWorld('best-effort', 200);
    const chosen = choice.ranked[11]?.region ?? '';
    // A FlexMatch match of one player per ticket: as many tickets as players, each id as long as GameLift allows.
    const tickets = event.players.map((p, i) => ({ ticketId: pad(`ticket-${i}-`, 128), playerIds: [p.id] }));
    const ready = toReady(
      { ...aPlacingRecord(event), tickets },
      {
        region: chosen,
        host: GAMEYE_HOST,
        ports: GAMEYE_PORTS,
        ranking: rankingOf(choice, chosen),
        via: 'started',
        notes: Array.from({ length: 50 }, (_, i) => pad(`note ${i} `, 100_000)),
      },
      NOW,
    );

    const published = sessionReadyOf(ready);

    expect(published.ranking.chosenRank).toBe(11);
    expect(published.tickets).toHaveLength(MAX_PLAYERS);
    expect(published.notes).toHaveLength(MAX_NOTES);
    expect(ready.notes).toHaveLength(MAX_NOTES);
    expect(Math.max(...(ready.notes ?? []).map((n) => n.length))).toBe(MAX_NOTE_CHARS);
    expectWellUnder(published);
  });

  it('PlayersAssigned fits for a backfill of as many players as a match may have', () => {
    const { event } = largestWorld('best-effort', 200);
    const ready = toReady(
      aPlacingRecord(event),
      {
        region: location(0),
        host: GAMEYE_HOST,
        ports: GAMEYE_PORTS,
        ranking: rankingOf(
          chooseRegions({
            players: [],
            aliases: {},
            available: new Set(),
            tagged: 'no-version-pinned',
            coolingDown: new Set(),
            whenNoneMeetsCap: 'fail',
            preference: [],
          }),
          undefined,
        ),
        via: 'started',
      },
      NOW,
    );
    const backfill = MatchBackfilledV1.parse({
      type: 'MatchBackfilled',
      version: 1,
      matchId: event.matchId,
      backfillId: pad('backfill-', 128),
      players: event.players.map((p) => ({ id: p.id, team: p.team })),
    });
    const recorded = {
      backfillId: backfill.backfillId,
      players: backfill.players.map((p) => ({ id: p.id, ...(p.team === undefined ? {} : { team: p.team }) })),
      assignedAt: new Date(NOW).toISOString(),
    };

    const published = playersAssignedOf(withBackfill(ready, recorded, NOW), recorded);

    expect(published.players).toHaveLength(MAX_PLAYERS);
    expectWellUnder(published);
  });

  it('BackfillFailed fits whatever its message', () => {
    const published = backfillFailedFor({
      matchId: pad('match-', 128),
      sessionId: sessionIdFor(pad('match-', 128), NAMESPACE),
      backfillId: pad('backfill-', 128),
      reason: 'invalid-event',
      message: 'm'.repeat(1_000_000),
      failedAt: new Date(NOW).toISOString(),
    });

    expect(published.message.length).toBe(MAX_FAILURE_MESSAGE_CHARS);
    expectWellUnder(published);
  });

  it('a READY record with every backfill it keeps stays far below DynamoDB’s 400 KB item', () => {
    const { event, choice } = largestWorld('best-effort', 200);
    const tickets = event.players.map((p, i) => ({ ticketId: pad(`ticket-${i}-`, 128), playerIds: [p.id] }));
    let record = toReady(
      { ...aPlacingRecord(event), tickets },
      {
        region: location(0),
        host: GAMEYE_HOST,
        ports: GAMEYE_PORTS,
        ranking: rankingOf(choice, location(0)),
        via: 'started',
        notes: Array.from({ length: MAX_NOTES }, (_, i) => pad(`note ${i} `, 512)),
      },
      NOW,
    );
    for (let b = 0; b < MAX_RECORDED_BACKFILLS + 3; b++) {
      record = withBackfill(
        record,
        {
          backfillId: pad(`backfill-${b}-`, 128),
          players: event.players.map((p) => ({ id: pad(`${p.id}-${b}`, 128), team: pad('team-', 64) })),
          assignedAt: new Date(NOW).toISOString(),
        },
        NOW,
      );
    }

    expect(record.backfills).toHaveLength(MAX_RECORDED_BACKFILLS);
    // JSON overstates DynamoDB's size (it counts quotes and braces DynamoDB does not).
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(300 * 1024);
  });

  it('SessionFailed fits for an invalid event with as many issues as 256 KiB can carry', () => {
    const longKeys = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`!${'k'.repeat(2_000)}${i}`, -1]),
    );
    const many = Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`r${i}`, -1]));
    const body = JSON.stringify({
      version: 1,
      matchId: pad('match-', 128),
      profile: 'arena',
      players: [{ id: 'alice', latencies: { ...longKeys, ...many } }],
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const parsed = parseMatchFound(body);
    if (parsed.ok) throw new Error('expected the body to be rejected');

    const published = sessionFailedFor({
      matchId: pad('match-', 128),
      sessionId: sessionIdFor(pad('match-', 128), NAMESPACE),
      reason: 'invalid-event',
      message: parsed.error.message,
      failedAt: new Date(NOW).toISOString(),
    });

    expect(parsed.error.message.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_CHARS);
    expect(published.message).toBe(parsed.error.message);
    expectWellUnder(published);
  });

  it('SessionFailed fits when no region may host the match, even with a message naming every drop', () => {
    const { event, choice } = largestWorld('fail', 1);
    expect(choice.failure).toBe('none-within-cap');
    const failed = toFailed(
      aPlacingRecord(event),
      { reason: 'none-within-cap', message: `no region may host this match: ${everyDrop(choice)}` },
      rankingOf(choice, undefined),
      NOW,
      30,
    );

    const published = sessionFailedOf(failed);

    expect(published.message.length).toBe(MAX_FAILURE_MESSAGE_CHARS);
    expectWellUnder(published);
  });

  it('SessionFailed fits for a Gameye failure with an endless message and identifier', () => {
    const { event, choice } = largestWorld('best-effort', 200);
    const failed = toFailed(
      aPlacingRecord(event),
      {
        reason: 'rejected-by-gameye',
        message: `Gameye answered 422 invalid: ${'m'.repeat(1_000_000)}`,
        identifier: 'i'.repeat(10_000),
      },
      rankingOf(choice, undefined),
      NOW,
      30,
    );

    expectWellUnder(sessionFailedOf(failed));
  });

  it('SessionEnded fits with every configured artifact missing', () => {
    const { config, event } = largestWorld('best-effort', 200);
    const paths = [...(config.profiles.arena?.artifactPaths ?? []), 'logs'];
    const ending = toEnding(
      toReady(
        aPlacingRecord(event),
        {
          region: location(0),
          host: GAMEYE_HOST,
          ports: GAMEYE_PORTS,
          ranking: rankingOf(
            chooseRegions({
              players: [],
              aliases: {},
              available: new Set(),
              tagged: 'no-version-pinned',
              coolingDown: new Set(),
              whenNoneMeetsCap: 'fail',
              preference: [],
            }),
            undefined,
          ),
          via: 'started',
        },
        NOW,
      ),
      'max-lifetime',
      NOW,
    );
    const done = withEndingProgress(
      ending,
      {
        stoppedAt: new Date(NOW).toISOString(),
        archive: {
          files: [],
          missing: paths.map((path) => ({ path, reason: 'not found at Gameye (404)' })),
          manifestKey: archiveLayout('sessions', ending).manifestKey,
        },
      },
      NOW,
    );

    const published = sessionEndedOf(done);

    expect(published.missingArtifacts).toHaveLength(MAX_ARTIFACT_PATHS + 1);
    expectWellUnder(published);
  });
});
