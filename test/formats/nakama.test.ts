/**
 * NakamaMatched v1 at the edge: each matched entry a player (`presence.userId`), its numeric
 * properties under the prefix its latencies, the team and profile from the configured string
 * properties; bad fields named by their path in the message.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { type InboundMessage, readInbound } from '../../lambdas/core/inbound.ts';
import { aConfigAcceptingAll, allSources, aNakamaMatched } from '../fixtures/native.ts';

const sources = parseBridgeConfig(
  aConfigAcceptingAll({ profiles: { arena: { image: 'arena-server' }, ranked: { image: 'arena-server' } } }),
).sources;
const read = (message: unknown, with_ = sources): InboundMessage =>
  readInbound(JSON.stringify(message), with_);

function errorOf(message: InboundMessage) {
  if (message.kind !== 'invalid') throw new Error(`expected an invalid message, got ${message.kind}`);
  return message.error;
}

describe('a NakamaMatched message', () => {
  it('becomes a match: user ids, teams, prefixed numeric properties as latencies, the default profile', () => {
    expect(read(aNakamaMatched())).toEqual({
      kind: 'match',
      format: 'nakama',
      notes: [],
      match: {
        version: 1,
        matchId: 'nk-match-1.nakama1',
        profile: 'arena',
        players: [
          { id: 'user-alice', team: 'red', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
          { id: 'user-bob', team: 'blue', latencies: { 'eu-west-1': 45, 'us-east-1': 70 } },
        ],
      },
    });
  });

  it('takes the profile from the entries’ profile property', () => {
    const message = aNakamaMatched({
      entries: [
        { presence: { userId: 'u-1' }, properties: { profile: 'ranked' } },
        { presence: { userId: 'u-2' }, properties: { profile: 'ranked' } },
        { presence: { userId: 'u-3' } },
      ],
    });

    const read_ = read(message);

    expect(read_.kind === 'match' && read_.match.profile).toBe('ranked');
    expect(read_.kind === 'match' && read_.match.players.map((p) => p.team)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('carries no team when no team property is configured', () => {
    const { teamProperty: _t, ...nakama } = allSources().nakama ?? { defaultProfile: 'arena' };
    const withoutTeams = parseBridgeConfig(
      aConfigAcceptingAll({ sources: { ...allSources(), nakama } }),
    ).sources;

    const message = read(aNakamaMatched(), withoutTeams);

    expect(message.kind === 'match' && message.match.players.map((p) => p.team)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('names each bad field by its path, with the format', () => {
    const message = aNakamaMatched({
      entries: [
        {
          presence: { userId: 'u-1' },
          properties: { 'latency_eu-west-1': 'fast', team: 7, profile: 'arena' },
        },
        { presence: { userId: 'u-2' }, properties: { 'latency_us-east-1': 20_000, profile: 'ranked' } },
      ],
    });

    const error = errorOf(read(message));

    expect(error.format).toBe('Nakama');
    expect(error.matchId).toBe('nk-match-1.nakama1');
    expect(error.issues.map((i) => i.path)).toEqual([
      'entries[0].properties.team',
      'entries[0].properties.latency_eu-west-1',
      'entries[1].properties.latency_us-east-1',
      'entries[1].properties.profile',
    ]);
  });

  it('refuses a duplicate user at the duplicate', () => {
    const message = aNakamaMatched({
      entries: [{ presence: { userId: 'u-1' } }, { presence: { userId: 'u-1' } }],
    });

    expect(errorOf(read(message)).issues).toEqual([
      { path: 'entries[1].presence.userId', message: 'duplicate user id u-1' },
    ]);
  });

  it('is refused, naming the format, by a deployment that accepts no Nakama', () => {
    const message = readInbound(JSON.stringify(aNakamaMatched()), { matchFound: {} });

    expect(message).toMatchObject({
      kind: 'refused',
      format: 'nakama',
      reason: 'format-not-accepted',
      matchId: 'nk-match-1.nakama1',
    });
  });
});
