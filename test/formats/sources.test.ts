/**
 * `sources` in the bridge configuration: MatchFound v1 alone when absent, only the formats it
 * names accepted, the control messages always, and every profile it names checked at synth.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { ConfigError } from '../../lambdas/core/errors.ts';
import { readInbound } from '../../lambdas/core/inbound.ts';
import { aBridgeConfigInput } from '../fixtures/config.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';
import { aFlexMatchEvent, aMatchBackfilled, aNakamaMatched, anOpenMatch2Match } from '../fixtures/native.ts';

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseBridgeConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('sources', () => {
  it('default to MatchFound v1 alone', () => {
    expect(parseBridgeConfig(aBridgeConfigInput()).sources).toEqual({ matchFound: {} });
  });

  it('apply each format’s defaults', () => {
    const config = parseBridgeConfig(
      aBridgeConfigInput({
        sources: { openMatch2: { defaultProfile: 'arena' }, nakama: { profileProperty: 'p' } },
      }),
    );

    expect(config.sources).toEqual({
      openMatch2: { latencyPrefix: 'latency-ms.', defaultProfile: 'arena' },
      nakama: { latencyPrefix: 'latency_', profileProperty: 'p' },
    });
  });

  it('refuse at synth a profile that does not exist, wherever sources name one', () => {
    const issues = issuesOf(
      aBridgeConfigInput({
        sources: {
          flexMatch: { configurations: { 'cfg-1': { profile: 'nope' } } },
          openMatch2: { defaultProfile: 'missing' },
          nakama: { defaultProfile: 'arena' },
        },
      }),
    );

    expect(issues).toEqual([
      { path: 'sources.flexMatch.configurations.cfg-1.profile', message: 'no profile named "nope"' },
      { path: 'sources.openMatch2.defaultProfile', message: 'no profile named "missing"' },
    ]);
  });

  it('refuse a source that cannot name a profile, an empty sources, and a bad configuration name', () => {
    expect(issuesOf(aBridgeConfigInput({ sources: { openMatch2: {} } })).map((i) => i.path)).toEqual([
      'sources.openMatch2',
    ]);
    expect(
      issuesOf(aBridgeConfigInput({ sources: { nakama: { teamProperty: 't' } } })).map((i) => i.path),
    ).toEqual(['sources.nakama']);
    expect(issuesOf(aBridgeConfigInput({ sources: {} })).map((i) => i.path)).toEqual(['sources']);
    expect(
      issuesOf(
        aBridgeConfigInput({
          sources: { flexMatch: { configurations: { 'bad name': { profile: 'arena' } } } },
        }),
      ).map((i) => i.path),
    ).toEqual(['sources.flexMatch.configurations.bad name']);
  });
});

describe('a MatchFound v1 with fields of its own', () => {
  it.each([
    ['rosters', { rosters: { red: { tickets: [] } } }],
    ['source', { source: 'aws.gamelift' }],
    ['detail-type', { 'detail-type': 'GameLift Matchmaking Event' }],
  ])('is still MatchFound v1 with an extra %s field (its version: 1 says so)', (_name, extra) => {
    const message = readInbound(JSON.stringify({ ...aMatchFound(), ...extra }));

    expect(message).toMatchObject({ kind: 'match', format: 'match-found' });
  });
});

describe('a deployment that names only FlexMatch', () => {
  const sources = parseBridgeConfig(
    aBridgeConfigInput({
      sources: { flexMatch: { configurations: { 'arena-config': { profile: 'arena' } } } },
    }),
  ).sources;

  it('refuses MatchFound v1, Open Match 2 and Nakama, naming each format', () => {
    const answers = [aMatchFound(), anOpenMatch2Match(), aNakamaMatched()].map((m) =>
      readInbound(bodyOf(m), sources),
    );

    expect(answers.map((a) => a.kind === 'refused' && [a.format, a.reason])).toEqual([
      ['match-found', 'format-not-accepted'],
      ['openmatch2', 'format-not-accepted'],
      ['nakama', 'format-not-accepted'],
    ]);
    expect(answers.map((a) => a.kind === 'refused' && a.message)).toEqual([
      'this deployment does not accept MatchFound v1 messages: its bridge config names no sources.matchFound',
      'this deployment does not accept Open Match 2 messages: its bridge config names no sources.openMatch2',
      'this deployment does not accept Nakama messages: its bridge config names no sources.nakama',
    ]);
  });

  it('accepts its FlexMatch events and the control messages', () => {
    expect(readInbound(bodyOf(aFlexMatchEvent()), sources).kind).toBe('match');
    expect(readInbound(bodyOf({ type: 'MatchEnded', version: 1, matchId: 'm-1' }), sources).kind).toBe(
      'match-ended',
    );
    expect(readInbound(bodyOf(aMatchBackfilled()), sources).kind).toBe('match-backfilled');
  });
});

describe('the one JSON reader', () => {
  it('refuses a __proto__ key in every format, naming the format and where', () => {
    const all = parseBridgeConfig(
      aBridgeConfigInput({
        sources: {
          matchFound: {},
          flexMatch: { configurations: { 'arena-config': { profile: 'arena' } } },
          openMatch2: { defaultProfile: 'arena' },
          nakama: { defaultProfile: 'arena' },
        },
      }),
    ).sources;
    const poisoned = (doc: Record<string, unknown>, where: string) =>
      JSON.stringify(doc).replace(`"${where}":`, `"__proto__":{"x":1},"${where}":`);

    const answers = [
      readInbound(poisoned(aFlexMatchEvent(), 'ticketId'), all),
      readInbound(poisoned(anOpenMatch2Match(), 'attributes'), all),
      readInbound(poisoned(aNakamaMatched(), 'properties'), all),
      readInbound(poisoned(aMatchBackfilled(), 'players'), all),
    ];

    expect(
      answers.map((a) => a.kind === 'invalid' && [a.format, a.error.format, a.error.issues[0]?.path]),
    ).toEqual([
      ['flexmatch', 'FlexMatch', 'detail.tickets[0].__proto__'],
      ['openmatch2', 'Open Match 2', 'rosters.red.tickets[0].__proto__'],
      ['nakama', 'Nakama', 'entries[0].__proto__'],
      [undefined, undefined, '__proto__'],
    ]);
    expect(answers.map((a) => a.kind === 'invalid' && a.error.matchId)).toEqual([
      '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
      'om-match-1',
      'nk-match-1.nakama1',
      'match-0001',
    ]);
    expect(answers[3]).toMatchObject({ of: 'MatchBackfilled', backfillId: 'backfill-1' });
  });
});
