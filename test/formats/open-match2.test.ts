/**
 * Open Match 2 Matches at the edge: rosters become teams, each ticket a player with its
 * latencies from `doubleArgs` under the configured prefix, the profile from the match's
 * extension, the tickets' `stringArgs` or the default; bad fields named by their protojson path.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import type { OpenMatch2Source } from '../../lambdas/core/formats/sources.ts';
import { type InboundMessage, readInbound } from '../../lambdas/core/inbound.ts';
import { aConfigAcceptingAll, allSources, anOpenMatch2Match } from '../fixtures/native.ts';

const sourcesWith = (openMatch2: Partial<OpenMatch2Source>) =>
  parseBridgeConfig(
    aConfigAcceptingAll({
      sources: { ...allSources(), openMatch2: { latencyPrefix: 'latency-ms.', ...openMatch2 } },
      profiles: { arena: { image: 'arena-server' }, ranked: { image: 'arena-server' } },
    }),
  ).sources;
const sources = parseBridgeConfig(aConfigAcceptingAll()).sources;
const read = (match: unknown, with_ = sources): InboundMessage => readInbound(JSON.stringify(match), with_);

function matchOf(message: InboundMessage) {
  if (message.kind !== 'match') throw new Error(`expected a match, got ${JSON.stringify(message)}`);
  return message.match;
}
function errorOf(message: InboundMessage) {
  if (message.kind !== 'invalid') throw new Error(`expected an invalid message, got ${message.kind}`);
  return message.error;
}

describe('an Open Match 2 Match', () => {
  it('becomes a match: rosters are teams, tickets players, prefixed doubleArgs their latencies', () => {
    const message = read(
      anOpenMatch2Match({ profile: 'ranked' }),
      sourcesWith({ profileKey: 'profile', defaultProfile: 'arena' }),
    );

    expect(message).toMatchObject({ kind: 'match', format: 'openmatch2', notes: [] });
    expect(matchOf(message)).toEqual({
      version: 1,
      matchId: 'om-match-1',
      profile: 'ranked',
      players: [
        { id: 'ticket-1', team: 'red', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
        { id: 'ticket-2', team: 'blue', latencies: { 'eu-west-1': 45, 'us-east-1': 70 } },
      ],
    });
  });

  it('takes the profile from the tickets’ stringArgs when the match has no such extension', () => {
    const match = anOpenMatch2Match({
      rosters: {
        solo: {
          tickets: [
            { id: 't-1', attributes: { stringArgs: { profile: 'ranked' } } },
            { id: 't-2', attributes: { stringArgs: { profile: 'ranked', mode: 'x' } } },
          ],
        },
      },
    });

    expect(matchOf(read(match, sourcesWith({ profileKey: 'profile' }))).profile).toBe('ranked');
  });

  it('reads the proto field names a director writes with UseProtoNames (double_args, string_args)', () => {
    const match = anOpenMatch2Match({
      rosters: {
        solo: {
          tickets: [
            {
              id: 't-1',
              attributes: { double_args: { 'latency-ms.eu-west-1': 31 }, string_args: { profile: 'ranked' } },
            },
          ],
        },
      },
    });

    expect(matchOf(read(match, sourcesWith({ profileKey: 'profile' })))).toMatchObject({
      profile: 'ranked',
      players: [{ id: 't-1', team: 'solo', latencies: { 'eu-west-1': 31 } }],
    });
  });

  it('ignores a long stringArgs value it does not read', () => {
    const match = anOpenMatch2Match({
      rosters: {
        solo: { tickets: [{ id: 't-1', attributes: { stringArgs: { notes: 'x'.repeat(10_000) } } }] },
      },
    });

    expect(read(match).kind).toBe('match');
  });

  it('falls back to the default profile, and reads no latencies from other doubleArgs', () => {
    const match = anOpenMatch2Match({
      rosters: { all: { tickets: [{ id: 't-1', attributes: { doubleArgs: { skill: 12, 'ping.eu': 3 } } }] } },
    });

    expect(matchOf(read(match, sourcesWith({ defaultProfile: 'arena' })))).toMatchObject({
      profile: 'arena',
      players: [{ id: 't-1', team: 'all', latencies: {} }],
    });
  });

  it('reads an empty roster (no tickets field, as protojson leaves it out) as no players', () => {
    const match = anOpenMatch2Match({ rosters: { red: { tickets: [{ id: 't-1' }] }, spectators: {} } });

    expect(matchOf(read(match)).players).toEqual([{ id: 't-1', team: 'red', latencies: {} }]);
  });

  it('names each bad field by its protojson path', () => {
    const match = anOpenMatch2Match({
      rosters: {
        red: {
          tickets: [
            {
              id: 't-1',
              attributes: { doubleArgs: { 'latency-ms.eu-west-1': 'NaN', 'latency-ms.us-east-1': -4 } },
            },
            { id: 't-1' },
          ],
        },
      },
    });

    const error = errorOf(read(match));

    expect(error.format).toBe('Open Match 2');
    expect(error.issues.map((i) => i.path)).toEqual(['rosters.red.tickets[1].id']);

    const latencies = anOpenMatch2Match({
      rosters: {
        red: {
          tickets: [
            {
              id: 't-1',
              attributes: {
                doubleArgs: { 'latency-ms.eu-west-1': 'NaN', 'latency-ms.us-east-1': -4, 'latency-ms.': 4 },
              },
            },
          ],
        },
      },
    });
    expect(errorOf(read(latencies)).issues.map((i) => i.path)).toEqual([
      'rosters.red.tickets[0].attributes.doubleArgs.latency-ms.eu-west-1',
      'rosters.red.tickets[0].attributes.doubleArgs.latency-ms.us-east-1',
      'rosters.red.tickets[0].attributes.doubleArgs.latency-ms.',
    ]);
  });

  it('names the disagreeing ticket when tickets name different profiles', () => {
    const match = anOpenMatch2Match({
      rosters: {
        red: { tickets: [{ id: 't-1', attributes: { stringArgs: { profile: 'arena' } } }] },
        blue: { tickets: [{ id: 't-2', attributes: { stringArgs: { profile: 'ranked' } } }] },
      },
    });

    expect(errorOf(read(match, sourcesWith({ profileKey: 'profile' }))).issues).toEqual([
      {
        path: 'rosters.blue.tickets[0].attributes.stringArgs.profile',
        message: 'names profile ranked, but rosters.red.tickets[0].attributes.stringArgs.profile names arena',
      },
    ]);
  });

  it('names the extension when it does not hold a StringValue', () => {
    const match = {
      ...anOpenMatch2Match(),
      extensions: { profile: { '@type': 'type.googleapis.com/google.protobuf.Int64Value', value: '3' } },
    };

    expect(errorOf(read(match)).issues.map((i) => i.path)).toEqual(['extensions.profile']);
  });

  it('without any profile and no default names where it looked', () => {
    expect(errorOf(read(anOpenMatch2Match(), sourcesWith({ profileKey: 'profile' }))).issues[0]?.path).toBe(
      'extensions.profile',
    );
  });

  it('with no ticket in any roster is invalid, at rosters', () => {
    expect(errorOf(read(anOpenMatch2Match({ rosters: { red: {} } }))).issues).toEqual([
      { path: 'rosters', message: 'expected at least one ticket' },
    ]);
  });

  it('refuses more than 64 latencies for one ticket', () => {
    const doubleArgs = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`latency-ms.r${i}`, 10]));
    const match = anOpenMatch2Match({
      rosters: { red: { tickets: [{ id: 't-1', attributes: { doubleArgs } }] } },
    });

    expect(errorOf(read(match)).issues).toEqual([
      {
        path: 'rosters.red.tickets[0].attributes.doubleArgs',
        message: 'expected at most 64 latencies (keys latency-ms.*), got 65',
      },
    ]);
  });
});
