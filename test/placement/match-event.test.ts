import { describe, expect, it } from 'vitest';
import { MatchEventError } from '../../lambdas/core/errors.ts';
import { MAX_BODY_BYTES, parseMatchEnded, parseMatchFound } from '../../lambdas/core/match-event.ts';
import { sessionIdFor, uuidV5 } from '../../lambdas/core/session-id.ts';
import { aMatchFound, bodyOf } from '../fixtures/match-found.ts';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

function errorOf(body: string): MatchEventError {
  const result = parseMatchFound(body);
  if (result.ok) throw new Error('expected the body to be rejected');
  return result.error;
}

describe('parseMatchFound', () => {
  it('accepts a valid event and defaults missing latencies to none', () => {
    const event = aMatchFound({ players: [{ id: 'alice' }] });

    const result = parseMatchFound(bodyOf(event));

    expect(result.ok && result.event.players).toEqual([{ id: 'alice', latencies: {} }]);
  });

  it('names every bad field path and what was expected', () => {
    const event = {
      ...aMatchFound(),
      version: 2,
      matchId: 'bad id!',
      players: [
        { id: 'alice', latencies: { 'eu-west-1': -5 } },
        { id: 'bob', latencies: { 'us-east-1': 99_999 } },
      ],
      ttl: 'forever',
    };

    const error = errorOf(bodyOf(event));

    expect(error).toBeInstanceOf(MatchEventError);
    expect(error.name).toBe('MatchEventError');
    expect(error.issues.map((i) => i.path)).toEqual([
      'version',
      'matchId',
      'players[0].latencies.eu-west-1',
      'players[1].latencies.us-east-1',
      'ttl',
    ]);
    expect(error.message).toContain('players[0].latencies.eu-west-1: expected a latency of at least 0 ms');
    expect(error.message).toContain('players[1].latencies.us-east-1: expected a latency of at most 10000 ms');
    expect(error.message).toContain('ttl: expected a duration such as 1m, 1h or 2h30m');
  });

  it('rejects a match without players and one with too many', () => {
    expect(errorOf(bodyOf(aMatchFound({ players: [] }))).issues[0]?.path).toBe('players');
    const crowd = Array.from({ length: 101 }, (_, i) => ({ id: `p${i}` }));
    expect(errorOf(bodyOf(aMatchFound({ players: crowd }))).issues[0]?.path).toBe('players');
  });

  it('rejects duplicate player ids at the duplicate', () => {
    const error = errorOf(bodyOf(aMatchFound({ players: [{ id: 'alice' }, { id: 'alice' }] })));

    expect(error.issues).toEqual([{ path: 'players[1].id', message: 'duplicate player id alice' }]);
  });

  it('rejects a body that is not JSON without throwing', () => {
    const error = errorOf('{"matchId": ');

    expect(error.issues).toEqual([{ path: '', message: 'expected a JSON document' }]);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects a body larger than the bound before parsing it', () => {
    const error = errorOf(`"${'x'.repeat(MAX_BODY_BYTES)}"`);

    expect(error.message).toContain(`expected at most ${MAX_BODY_BYTES} bytes`);
  });

  it('keeps the match id of an invalid event when the id itself is valid', () => {
    const error = errorOf(bodyOf({ ...aMatchFound({ matchId: 'match-9' }), players: 'none' }));

    expect(error.matchId).toBe('match-9');
  });

  it('parses MatchEnded with an optional reason', () => {
    expect(parseMatchEnded(bodyOf({ type: 'MatchEnded', version: 1, matchId: 'm-1' }))).toEqual({
      ok: true,
      event: { type: 'MatchEnded', version: 1, matchId: 'm-1' },
    });
  });
});

describe('session ids', () => {
  it('computes UUIDv5 exactly as RFC 9562 and other implementations do', () => {
    expect(uuidV5('www.example.com', DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('python.org', DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('https://gameye.com/match/42', URL_NS)).toBe('97e4f40d-892a-5ef5-b37d-351193f5264b');
  });

  it('hashes the match id as UTF-8 under the deployment namespace', () => {
    expect(sessionIdFor('match-ü-1', '8f3c2a4e-1d5b-4c6a-9e7f-0a1b2c3d4e5f')).toBe(
      'b3235a6f-1f08-5107-b2d0-2d3c80454d1b',
    );
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});
