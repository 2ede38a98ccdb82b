/**
 * The simulated matchmaker's matches as each real matchmaker would send them: MatchFound v1
 * (the bridge's own), a FlexMatch `MatchmakingSucceeded` EventBridge event (its players'
 * latencies go to the GameLift stand-in as tickets, keyed by AWS region code, as FlexMatch
 * keeps them), the protojson of an Open Match 2 `Match`, and a Nakama `NakamaMatched`
 * message. Pure: the runner sends the bodies and registers the tickets.
 */
import { createHash } from 'node:crypto';
import {
  FLEXMATCH_DETAIL_TYPE,
  FLEXMATCH_SOURCE,
  MATCHMAKING_SUCCEEDED,
} from '../../../lambdas/core/formats/flexmatch.ts';
import { NAKAMA_MATCHED } from '../../../lambdas/core/formats/nakama.ts';
import { STRING_VALUE_TYPE } from '../../../lambdas/core/formats/open-match2.ts';
import { FORMATS, type Format } from '../../../lambdas/core/formats/sources.ts';
import type { TicketRegistration } from '../../gamelift-standin/index.ts';
import type { PlannedMatch } from './matchmaker.ts';
import { AWS_REGION_OF } from './world.ts';

/** The formats local mode can drive the bridge with (`--matchmaker`): the bridge's own. */
export const MATCHMAKERS = FORMATS;
export type Matchmaker = Format;

/** One match, ready to send. */
export interface NativeMatch {
  readonly body: string;
  /** FlexMatch only: the tickets GameLift would describe, with the players' latencies. */
  readonly tickets: readonly TicketRegistration[];
}

/** The FlexMatch matchmaking configuration of each simulated profile (`sources.flexMatch`). */
export const SIM_FLEXMATCH_CONFIGURATIONS: Readonly<Record<string, string>> = {
  'arena-casual': 'arena-casual-config',
  'arena-ranked': 'arena-ranked-config',
  brawl: 'brawl-config',
};
/** Where the simulated configurations live (the ARN in each event's `resources`). */
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** Keys of latencies in Open Match 2 tickets and Nakama properties (`sources` in the local config). */
export const OPEN_MATCH_2_LATENCY_PREFIX = 'latency-ms.';
export const NAKAMA_LATENCY_PREFIX = 'latency_';

export function renderMatch(matchmaker: Matchmaker, m: PlannedMatch, now: Date): NativeMatch {
  switch (matchmaker) {
    case 'match-found':
      return { body: JSON.stringify(matchFound(m)), tickets: [] };
    case 'flexmatch':
      return flexMatch(m, now);
    case 'openmatch2':
      return { body: JSON.stringify(openMatch2(m)), tickets: [] };
    case 'nakama':
      return { body: JSON.stringify(nakama(m)), tickets: [] };
  }
}

function matchFound(m: PlannedMatch): object {
  return {
    version: 1,
    matchId: m.matchId,
    profile: m.profile,
    players: m.players.map((p) => ({ id: p.id, team: p.team, latencies: p.latencies })),
  };
}

/** The configuration ARN a FlexMatch event names in `resources`. */
export function configurationArn(name: string): string {
  return `arn:aws:gamelift:${REGION}:${ACCOUNT}:matchmakingconfiguration/${name}`;
}

/** A stable id from parts: the same match renders the same event on every delivery. */
function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * FlexMatch groups players into tickets (a party is one ticket): here each team's players go
 * two to a ticket. The event carries the tickets and teams; the latencies stay on the tickets,
 * which GameLift (the stand-in) describes, keyed by AWS region code.
 */
function flexMatch(m: PlannedMatch, now: Date): NativeMatch {
  const byTeam = new Map<string, PlannedMatch['players'][number][]>();
  for (const p of m.players) byTeam.set(p.team, [...(byTeam.get(p.team) ?? []), p]);
  const tickets: { ticketId: string; players: PlannedMatch['players'][number][] }[] = [];
  for (const players of byTeam.values())
    for (let i = 0; i < players.length; i += 2)
      tickets.push({ ticketId: `${m.matchId}.t${tickets.length}`, players: players.slice(i, i + 2) });
  const configuration = SIM_FLEXMATCH_CONFIGURATIONS[m.profile] ?? `${m.profile}-config`;
  const time = now.toISOString();
  const event = {
    version: '0',
    id: stableUuid('event', m.matchId),
    'detail-type': FLEXMATCH_DETAIL_TYPE,
    source: FLEXMATCH_SOURCE,
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [configurationArn(configuration)],
    detail: {
      type: MATCHMAKING_SUCCEEDED,
      matchId: m.matchId,
      tickets: tickets.map((t) => ({
        ticketId: t.ticketId,
        startTime: time,
        players: t.players.map((p) => ({ playerId: p.id, team: p.team })),
      })),
      gameSessionInfo: { players: m.players.map((p) => ({ playerId: p.id, team: p.team })) },
    },
  };
  return {
    body: JSON.stringify(event),
    tickets: tickets.map((t) => ({
      TicketId: t.ticketId,
      ConfigurationName: configuration,
      Players: t.players.map((p) => ({
        PlayerId: p.id,
        Team: p.team,
        LatencyInMs: awsLatencies(p.latencies),
      })),
    })),
  };
}

/** A player's latencies keyed by AWS region code (FlexMatch's keys); places with none are left out. */
export function awsLatencies(latencies: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [place, ms] of Object.entries(latencies)) {
    const region = AWS_REGION_OF[place];
    // GameLift takes whole milliseconds, at least 1.
    if (region !== undefined) out[region] = Math.max(1, Math.round(ms));
  }
  return out;
}

/** An Open Match 2 `Match` as protojson: a roster per team, a ticket per player. */
function openMatch2(m: PlannedMatch): object {
  const rosters: Record<string, { name: string; tickets: object[] }> = {};
  for (const p of m.players) {
    const roster = rosters[p.team] ?? { name: p.team, tickets: [] };
    rosters[p.team] = roster;
    roster.tickets.push({
      id: p.id,
      attributes: {
        doubleArgs: Object.fromEntries(
          Object.entries(p.latencies).map(([place, ms]) => [`${OPEN_MATCH_2_LATENCY_PREFIX}${place}`, ms]),
        ),
      },
    });
  }
  return {
    id: m.matchId,
    rosters,
    extensions: {
      profile: { '@type': STRING_VALUE_TYPE, value: m.profile },
    },
  };
}

/** What a Nakama `matchmaker_matched` hook sends: the entries with their properties. */
function nakama(m: PlannedMatch): object {
  return {
    type: NAKAMA_MATCHED,
    version: 1,
    matchId: m.matchId,
    entries: m.players.map((p) => ({
      presence: {
        userId: p.id,
        sessionId: stableUuid('session', p.id),
        username: p.id,
        node: 'nakama1',
      },
      properties: {
        team: p.team,
        profile: m.profile,
        ...Object.fromEntries(
          Object.entries(p.latencies).map(([place, ms]) => [`${NAKAMA_LATENCY_PREFIX}${place}`, ms]),
        ),
      },
    })),
  };
}

/** Bodies the bridge must refuse (to the DLQ with a reason), in each format, with what is wrong. */
export function malformedBodies(matchmaker: Matchmaker, seed: number): { body: string; what: string }[] {
  const notJson = { body: '{"version":1,"matchId":', what: 'not JSON' };
  const player = { id: 'x', team: 'red', city: 'London', latencies: { dublin: 20 } };
  const planned = (suffix: string, overrides: Partial<PlannedMatch> = {}): PlannedMatch => ({
    matchId: `bad-${seed}-${suffix}`,
    profile: 'arena-casual',
    home: 'London',
    players: [player],
    fate: 'played',
    deliveries: 1,
    playSeconds: 1,
    ...overrides,
  });
  switch (matchmaker) {
    case 'match-found':
      return [
        notJson,
        { body: JSON.stringify({ ...matchFound(planned('a')), players: [] }), what: 'no players' },
        {
          body: JSON.stringify(
            matchFound(planned('b', { players: [{ ...player, latencies: { dublin: -3 } }] })),
          ),
          what: 'negative latency',
        },
        {
          body: JSON.stringify(matchFound(planned('c', { profile: 'no-such-profile' }))),
          what: 'unknown profile',
        },
      ];
    case 'flexmatch': {
      const unconfigured = JSON.parse(flexMatch(planned('a'), new Date(0)).body) as { resources: string[] };
      unconfigured.resources = [configurationArn('unconfigured-config')];
      const noTickets = JSON.parse(flexMatch(planned('b'), new Date(0)).body) as {
        detail: { tickets: unknown[] };
      };
      noTickets.detail.tickets = [];
      return [
        notJson,
        { body: JSON.stringify(unconfigured), what: 'a configuration the deployment does not name' },
        { body: JSON.stringify(noTickets), what: 'no tickets' },
      ];
    }
    case 'openmatch2':
      return [
        notJson,
        { body: JSON.stringify({ ...openMatch2(planned('a')), rosters: {} }), what: 'no rosters' },
        {
          body: JSON.stringify(
            openMatch2(planned('b', { players: [{ ...player, latencies: { dublin: -3 } }] })),
          ),
          what: 'negative latency',
        },
      ];
    case 'nakama':
      return [
        notJson,
        { body: JSON.stringify({ ...nakama(planned('a')), entries: [] }), what: 'no entries' },
        {
          body: JSON.stringify(nakama(planned('b', { profile: 'no-such-profile' }))),
          what: 'unknown profile',
        },
      ];
  }
}
