/**
 * The translations as properties (fast-check): any valid native message of each format
 * becomes a valid MatchFound v1 that keeps its players, teams and latencies; any message of the
 * format with one field replaced by arbitrary JSON becomes either that or a MatchEventError
 * naming the format and the field, never a throw; and arbitrary JSON never makes the edge throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { FORMAT_INFO, type Format } from '../../lambdas/core/formats/sources.ts';
import { type InboundMessage, readInbound } from '../../lambdas/core/inbound.ts';
import { MatchFoundV1 } from '../../lambdas/core/match-event.ts';
import { aConfigAcceptingAll, CONFIGURATION_ARN } from '../fixtures/native.ts';

const sources = parseBridgeConfig(aConfigAcceptingAll()).sources;
const RUNS = { numRuns: 300 };

const matchId = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/)
  .filter((id) => !id.startsWith('orphan:'));
const playerIds = (min: number, max: number) =>
  fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9._:@|-]{1,24}$/), { minLength: min, maxLength: max });
const team = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const region = fc.stringMatching(/^[a-z]{2}-[a-z]{2,9}-[1-9]$/);
const latency = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.double({ min: 0, max: 10_000, noNaN: true }),
);
const latencies = fc.dictionary(region, latency, { maxKeys: 6 });

/** FlexMatch MatchmakingSucceeded: 1-10 tickets of 1-5 players, ids unique throughout. */
const flexMatchEvent = fc
  .tuple(
    matchId,
    playerIds(1, 40),
    fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 10, maxLength: 10 }),
    fc.option(team),
  )
  .map(([id, players, sizes, teamName]) => {
    const tickets: { ticketId: string; players: { playerId: string; team?: string }[] }[] = [];
    let next = 0;
    for (const [t, size] of sizes.entries()) {
      const chunk = players.slice(next, next + size);
      next += size;
      if (chunk.length === 0) break;
      tickets.push({
        ticketId: `ticket-${t}`,
        players: chunk.map((playerId) => (teamName === null ? { playerId } : { playerId, team: teamName })),
      });
    }
    return {
      version: '0',
      id: 'evt',
      'detail-type': 'GameLift Matchmaking Event',
      source: 'aws.gamelift',
      resources: [CONFIGURATION_ARN],
      detail: { type: 'MatchmakingSucceeded', matchId: id, tickets },
    };
  });

/** Open Match 2 Match: 1-4 rosters, tickets with prefixed latencies among other doubleArgs. */
const openMatch2Match = fc
  .tuple(
    matchId,
    playerIds(1, 30),
    fc.array(team, { minLength: 1, maxLength: 4 }),
    fc.array(latencies, { minLength: 30, maxLength: 30 }),
  )
  .map(([id, tickets, teams, measured]) => {
    const rosters: Record<string, { tickets: unknown[] }> = {};
    tickets.forEach((ticketId, i) => {
      const name = teams[i % teams.length] ?? 'all';
      const doubleArgs: Record<string, number> = { skill: i };
      for (const [r, ms] of Object.entries(measured[i] ?? {})) doubleArgs[`latency-ms.${r}`] = ms;
      rosters[name] ??= { tickets: [] };
      rosters[name].tickets.push({ id: ticketId, attributes: { doubleArgs, stringArgs: { mode: 'x' } } });
    });
    return { id, rosters };
  });

/** NakamaMatched: 1-30 entries, numeric latency properties, a team property. */
const nakamaMatched = fc
  .tuple(
    matchId,
    playerIds(1, 30),
    fc.array(fc.tuple(fc.option(team), latencies), { minLength: 30, maxLength: 30 }),
  )
  .map(([id, users, props]) => ({
    type: 'NakamaMatched',
    version: 1,
    matchId: id,
    entries: users.map((userId, i) => {
      const [teamName, measured] = props[i] ?? [null, {}];
      const properties: Record<string, string | number> = { mode: 'casual' };
      if (teamName !== null) properties.team = teamName;
      for (const [r, ms] of Object.entries(measured)) properties[`latency_${r}`] = ms;
      return { presence: { userId, sessionId: `s-${i}`, username: `u${i}` }, properties };
    }),
  }));

const VALID: Record<Exclude<Format, 'match-found'>, fc.Arbitrary<Record<string, unknown>>> = {
  flexmatch: flexMatchEvent,
  openmatch2: openMatch2Match,
  nakama: nakamaMatched,
};

/** Every path to a value in a JSON document (object keys and array indexes), root excluded. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...at, k], ...pathsOf(v, [...at, k])]);
}

function replaced(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) parent[last] = value;
  return copy;
}

function expectValidMatch(message: InboundMessage): void {
  if (message.kind !== 'match')
    throw new Error(`expected a match, got ${JSON.stringify(message).slice(0, 500)}`);
  expect(MatchFoundV1.safeParse(message.match).success).toBe(true);
}

describe.each(Object.keys(VALID) as (keyof typeof VALID)[])('%s translation', (format) => {
  const arbitrary = VALID[format];
  const name = FORMAT_INFO[format].name;

  it('turns any valid message into a valid MatchFound v1', () => {
    fc.assert(
      fc.property(arbitrary, (doc) => {
        expectValidMatch(readInbound(JSON.stringify(doc), sources));
      }),
      RUNS,
    );
  });

  it('keeps every player, team and latency', () => {
    fc.assert(
      fc.property(arbitrary, (doc) => {
        const message = readInbound(JSON.stringify(doc), sources);
        if (message.kind !== 'match') throw new Error('expected a match');
        expect(message.match.players).toEqual(expectedPlayers(format, doc));
      }),
      RUNS,
    );
  });

  it('answers a message with any one field replaced by a valid match or an error naming the format and a field', () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(), fc.jsonValue(), (doc, pick, value) => {
        const paths = pathsOf(doc);
        const path = paths[pick % paths.length] ?? [];
        const body = JSON.stringify(replaced(doc, path, value));

        const message = readInbound(body, sources);

        if (message.kind === 'match') {
          expectValidMatch(message);
          return;
        }
        if (message.kind === 'invalid') {
          expect(message.error.name).toBe('MatchEventError');
          expect(message.error.issues.length).toBeGreaterThan(0);
          if (message.format === format) {
            expect(message.error.format).toBe(name);
            for (const issue of message.error.issues) expect(issue.path).not.toBe('');
          }
          return;
        }
        // A replaced discriminator may make it another kind of message, never a throw.
        expect(['refused', 'ignored', 'match-backfilled', 'match-ended']).toContain(message.kind);
      }),
      RUNS,
    );
  });
});

function expectedPlayers(format: keyof typeof VALID, doc: Record<string, unknown>) {
  switch (format) {
    case 'flexmatch': {
      const detail = doc.detail as { tickets: { players: { playerId: string; team?: string }[] }[] };
      return detail.tickets.flatMap((t) =>
        t.players.map((p) => ({
          id: p.playerId,
          ...(p.team === undefined ? {} : { team: p.team }),
          latencies: {},
        })),
      );
    }
    case 'openmatch2': {
      const rosters = doc.rosters as Record<
        string,
        { tickets: { id: string; attributes: { doubleArgs: Record<string, number> } }[] }
      >;
      return Object.entries(rosters).flatMap(([name, roster]) =>
        roster.tickets.map((t) => ({
          id: t.id,
          team: name,
          latencies: stripped(t.attributes.doubleArgs, 'latency-ms.'),
        })),
      );
    }
    case 'nakama': {
      const entries = doc.entries as {
        presence: { userId: string };
        properties: Record<string, string | number>;
      }[];
      return entries.map((e) => ({
        id: e.presence.userId,
        ...(typeof e.properties.team === 'string' ? { team: e.properties.team } : {}),
        latencies: stripped(e.properties, 'latency_'),
      }));
    }
  }
}

function stripped(values: Record<string, string | number>, prefix: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v as number]),
  );
}

describe('the edge', () => {
  it('never throws on arbitrary JSON, whatever sources accept', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, all) => {
        const message = readInbound(JSON.stringify(value), all ? sources : { matchFound: {} });
        expect(message.kind).toBeDefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(readInbound(text, sources).kind).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});
