import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { translateForCli } from '../../lambdas/core/formats/translate-for-cli.ts';
import { TicketRegistration } from '../../tools/gamelift-standin/index.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { type PlannedMatch, planMatches } from '../../tools/local/sim/matchmaker.ts';
import {
  awsLatencies,
  MATCHMAKERS,
  malformedBodies,
  NAKAMA_LATENCY_PREFIX,
  OPEN_MATCH_2_LATENCY_PREFIX,
  renderMatch,
  SIM_FLEXMATCH_CONFIGURATIONS,
} from '../../tools/local/sim/native-formats.ts';

const LOCAL_CONFIG = parseBridgeConfig(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')));

const NOW = new Date('2026-12-01T10:00:00.000Z');

const MATCH: PlannedMatch = {
  matchId: 'sim-1-00007',
  profile: 'arena-ranked',
  home: 'London',
  players: [
    { id: 'p-a', team: 'red', city: 'London', latencies: { dublin: 14, frankfurt: 22.4, 'new-york': 80 } },
    { id: 'p-b', team: 'blue', city: 'Paris', latencies: { dublin: 21, frankfurt: 12 } },
    { id: 'p-c', team: 'red', city: 'Berlin', latencies: { dublin: 30, frankfurt: 0.2 } },
    { id: 'p-d', team: 'red', city: 'Madrid', latencies: { dublin: 33, frankfurt: 28 } },
  ],
  fate: 'played',
  deliveries: 2,
  playSeconds: 3,
};

describe('the simulated FlexMatch matchmaker', () => {
  const { body, tickets } = renderMatch('flexmatch', MATCH, NOW);
  const event = JSON.parse(body) as {
    source: string;
    'detail-type': string;
    resources: string[];
    detail: {
      type: string;
      matchId: string;
      tickets: { ticketId: string; players: { playerId: string; team: string }[] }[];
    };
  };

  it('sends the EventBridge event of a MatchmakingSucceeded, for the profile’s configuration', () => {
    expect(event).toMatchObject({
      source: 'aws.gamelift',
      'detail-type': 'GameLift Matchmaking Event',
      resources: ['arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/arena-ranked-config'],
      detail: { type: 'MatchmakingSucceeded', matchId: 'sim-1-00007' },
    });
  });

  it('puts every player in exactly one ticket, with its team, at most two to a ticket', () => {
    const players = event.detail.tickets.flatMap((t) => t.players);
    expect(players.map((p) => p.playerId).sort()).toEqual(['p-a', 'p-b', 'p-c', 'p-d']);
    expect(players.find((p) => p.playerId === 'p-b')?.team).toBe('blue');
    for (const t of event.detail.tickets) {
      expect(t.players.length).toBeLessThanOrEqual(2);
      expect(new Set(t.players.map((p) => p.team)).size).toBe(1);
    }
  });

  it('gives the stand-in the same tickets, latencies keyed by AWS region in whole ms of at least 1', () => {
    expect(tickets.map((t) => t.TicketId)).toEqual(event.detail.tickets.map((t) => t.ticketId));
    for (const t of tickets) expect(TicketRegistration.safeParse(t).success).toBe(true);
    const a = tickets.flatMap((t) => t.Players).find((p) => p.PlayerId === 'p-a');
    const c = tickets.flatMap((t) => t.Players).find((p) => p.PlayerId === 'p-c');
    // New York has no AWS region: FlexMatch players never report it.
    expect(a?.LatencyInMs).toEqual({ 'eu-west-1': 14, 'eu-central-1': 22 });
    expect(c?.LatencyInMs).toEqual({ 'eu-west-1': 30, 'eu-central-1': 1 });
  });

  it('renders the same event on every delivery, as EventBridge redelivers one event', () => {
    expect(renderMatch('flexmatch', MATCH, NOW).body).toBe(body);
  });
});

describe('the simulated Open Match 2 director', () => {
  const match = JSON.parse(renderMatch('openmatch2', MATCH, NOW).body) as {
    id: string;
    rosters: Record<string, { name: string; tickets: { id: string; attributes: { doubleArgs: object } }[] }>;
    extensions: { profile: { '@type': string; value: string } };
  };

  it('sends a Match with a roster per team, a ticket per player and latencies under the prefix', () => {
    expect(match.id).toBe('sim-1-00007');
    expect(Object.keys(match.rosters).sort()).toEqual(['blue', 'red']);
    expect(match.rosters.red?.tickets.map((t) => t.id)).toEqual(['p-a', 'p-c', 'p-d']);
    expect(match.rosters.blue?.tickets[0]?.attributes.doubleArgs).toEqual({
      'latency-ms.dublin': 21,
      'latency-ms.frankfurt': 12,
    });
  });

  it('names the profile in the Match’s extensions, as a StringValue', () => {
    expect(match.extensions.profile).toEqual({
      '@type': 'type.googleapis.com/google.protobuf.StringValue',
      value: 'arena-ranked',
    });
  });
});

describe('the simulated Nakama hook', () => {
  it('sends NakamaMatched with an entry per player, its team, profile and latencies as properties', () => {
    const message = JSON.parse(renderMatch('nakama', MATCH, NOW).body) as {
      type: string;
      version: number;
      matchId: string;
      entries: { presence: { userId: string }; properties: Record<string, unknown> }[];
    };

    expect(message).toMatchObject({ type: 'NakamaMatched', version: 1, matchId: 'sim-1-00007' });
    expect(message.entries.map((e) => e.presence.userId)).toEqual(['p-a', 'p-b', 'p-c', 'p-d']);
    expect(message.entries[1]?.properties).toEqual({
      team: 'blue',
      profile: 'arena-ranked',
      latency_dublin: 21,
      latency_frankfurt: 12,
    });
  });
});

describe('malformed bodies', () => {
  it.each(MATCHMAKERS)('%s: are all different, and the run plans them in its own format', (matchmaker) => {
    const bodies = malformedBodies(matchmaker, 5);

    expect(new Set(bodies.map((b) => b.body)).size).toBe(bodies.length);
    expect(planMatches({ matches: 10, seed: 5, matchmaker, malformed: bodies.length }).malformed).toEqual(
      bodies,
    );
  });
});

describe('awsLatencies', () => {
  it('keeps only places with an AWS region, renamed to its code', () => {
    expect(awsLatencies({ tokyo: 180.6, 'new-york': 12, 'sao-paulo': 200 })).toEqual({
      'ap-northeast-1': 181,
      'sa-east-1': 200,
    });
  });
});

describe('what the bridge reads from each rendering (its own translations, local config)', () => {
  const planned = planMatches({ matches: 25, seed: 4 }).matches;

  it.each(['match-found', 'openmatch2', 'nakama'] as const)(
    '%s: the planned match: id, profile, every player with its team and latencies',
    (matchmaker) => {
      for (const m of planned) {
        const translated = translateForCli(
          matchmaker,
          JSON.parse(renderMatch(matchmaker, m, NOW).body),
          LOCAL_CONFIG,
        );

        expect(translated.ok, m.matchId).toBe(true);
        if (!translated.ok) continue;
        expect(translated.match).toMatchObject({ matchId: m.matchId, profile: m.profile });
        expect(
          translated.match.players.map((p) => ({ id: p.id, team: p.team, latencies: p.latencies })),
        ).toEqual(
          expect.arrayContaining(m.players.map((p) => ({ id: p.id, team: p.team, latencies: p.latencies }))),
        );
        expect(translated.match.players).toHaveLength(m.players.length);
      }
    },
  );

  it('flexmatch: the planned match and its teams, the latencies left to the ticket lookup', () => {
    for (const m of planned) {
      const translated = translateForCli(
        'flexmatch',
        JSON.parse(renderMatch('flexmatch', m, NOW).body),
        LOCAL_CONFIG,
      );

      expect(translated.ok, m.matchId).toBe(true);
      if (!translated.ok) continue;
      expect(translated.match).toMatchObject({ matchId: m.matchId, profile: m.profile });
      expect(translated.match.players.map((p) => [p.id, p.team]).sort()).toEqual(
        m.players.map((p) => [p.id, p.team]).sort(),
      );
    }
  });

  it.each(MATCHMAKERS)('%s: refuses every malformed body whose fault is in the message', (matchmaker) => {
    // An unknown profile is well formed: placement refuses it (DLQ reason unknown-profile).
    for (const bad of malformedBodies(matchmaker, 3).filter((b) => b.what !== 'unknown profile')) {
      let json: unknown;
      try {
        json = JSON.parse(bad.body);
      } catch {
        continue; // not JSON: refused before any format is read
      }
      expect(translateForCli(matchmaker, json, LOCAL_CONFIG).ok, bad.what).toBe(false);
    }
  });
});

describe('config/local.config.json', () => {
  it('names every source the simulation speaks, with the keys it writes', () => {
    const { sources, regionAliases } = LOCAL_CONFIG;

    expect(sources.matchFound).toEqual({});
    expect(sources.flexMatch?.configurations).toEqual(
      Object.fromEntries(
        Object.entries(SIM_FLEXMATCH_CONFIGURATIONS).map(([profile, name]) => [name, { profile }]),
      ),
    );
    expect(sources.openMatch2?.latencyPrefix).toBe(OPEN_MATCH_2_LATENCY_PREFIX);
    expect(sources.nakama?.latencyPrefix).toBe(NAKAMA_LATENCY_PREFIX);
    // Every AWS region FlexMatch players report reaches a Gameye region: aliased, or a Gameye name.
    const places = {
      dublin: 1,
      frankfurt: 1,
      virginia: 1,
      'new-york': 1,
      singapore: 1,
      tokyo: 1,
      'sao-paulo': 1,
    };
    for (const region of Object.keys(awsLatencies(places))) {
      expect(
        Object.hasOwn(regionAliases, region) || LOCAL_CONFIG.regionPreference.includes(region),
        region,
      ).toBe(true);
    }
  });
});
