import { describe, expect, it } from 'vitest';
import { MatchEventError } from '../../lambdas/core/errors.ts';
import { MAX_FAILURE_MESSAGE_CHARS } from '../../lambdas/core/events.ts';
import {
  MAX_BODY_BYTES,
  parseMatchEnded,
  parseMatchFound,
  salvageMatchId,
  typeOf,
} from '../../lambdas/core/match-event.ts';
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

describe('parseMatchFound bounds', () => {
  const names = (n: number, prefix = 'r'): Record<string, number> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 30]));

  it('accepts 64 latencies per player and rejects 65', () => {
    expect(parseMatchFound(bodyOf(aMatchFound({ players: [{ id: 'a', latencies: names(64) }] }))).ok).toBe(
      true,
    );

    const error = errorOf(bodyOf(aMatchFound({ players: [{ id: 'a', latencies: names(65) }] })));

    expect(error.issues).toEqual([{ path: 'players[0].latencies', message: 'expected at most 64 keys' }]);
  });

  it('rejects the 225 KB body of one real region and 9,000 unknown ones with a short reason', () => {
    const latencies = { 'eu-west-1': 30, ...names(9_000, 'unknown-region-') };
    const body = bodyOf(aMatchFound({ players: [{ id: 'alice', latencies }] }));
    expect(Buffer.byteLength(body)).toBeGreaterThan(200_000);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);

    const error = errorOf(body);

    expect(error.issues).toEqual([{ path: 'players[0].latencies', message: 'expected at most 64 keys' }]);
  });

  it('caps env and labels overrides at 64 keys whatever a profile allows', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`K${i}`, 'v']));

    const error = errorOf(bodyOf(aMatchFound({ env: many, labels: many })));

    expect(error.issues.map((i) => i.path)).toEqual(['env', 'labels']);
  });

  it('caps a ttl override at 30 days, so 999999h is refused', () => {
    expect(parseMatchFound(bodyOf(aMatchFound({ ttl: '720h' }))).ok).toBe(true);
    expect(errorOf(bodyOf(aMatchFound({ ttl: '721h' }))).issues).toEqual([
      { path: 'ttl', message: 'expected a duration of at most 720h' },
    ]);
    expect(errorOf(bodyOf(aMatchFound({ ttl: '999999h' }))).issues[0]?.path).toBe('ttl');
    expect(errorOf(bodyOf(aMatchFound({ ttl: '719h99999m' }))).issues[0]?.path).toBe('ttl');
  });

  it('names the first ten issues of a body full of them and counts the rest', () => {
    // As many bad latencies as 256 KiB holds: 20,000 issues, and one for their number.
    const latencies = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`r${i}`, -1]));
    const body = bodyOf(aMatchFound({ players: [{ id: 'alice', latencies }] }));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);

    const error = errorOf(body);

    expect(error.issues).toHaveLength(11);
    expect(error.issues[0]).toEqual({
      path: 'players[0].latencies.r0',
      message: 'expected a latency of at least 0 ms',
    });
    expect(error.issues[10]).toEqual({ path: '…', message: 'and 19991 more issues' });
    expect(error.message.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_CHARS);
  });

  it('cuts an issue path as long as the body', () => {
    const key = 'x'.repeat(200_000);

    const error = errorOf(bodyOf(aMatchFound({ players: [{ id: 'alice', latencies: { [`!${key}`]: 1 } }] })));

    expect(error.issues[0]?.path.length).toBeLessThanOrEqual(128);
    expect(error.issues[0]?.path.endsWith('…')).toBe(true);
    expect(error.message.length).toBeLessThan(1_000);
  });
});

describe('__proto__ keys', () => {
  const valid = bodyOf(aMatchFound({ matchId: 'proto-1', players: [{ id: 'alice', latencies: { x: 10 } }] }));

  it('are rejected where zod would skip them, so a bad latency cannot hide under one', () => {
    const body = valid.replace('"latencies":{', '"latencies":{"__proto__":-5,');

    const error = errorOf(body);

    expect(error.issues).toEqual([
      {
        path: 'players[0].latencies.__proto__',
        message:
          'a key named __proto__ is not allowed: JavaScript treats it as the prototype, so its value would escape validation',
      },
    ]);
    expect(error.matchId).toBe('proto-1');
  });

  it('are rejected at the top level and inside arrays, each named by its path', () => {
    const body = valid
      .replace('{"version"', '{"__proto__":{"profile":1},"version"')
      .replace('"players":[{', '"players":[{"__proto__":null,');

    expect(errorOf(body).issues.map((i) => i.path)).toEqual(['__proto__', 'players[0].__proto__']);
  });

  it('are rejected in MatchEnded too', () => {
    const result = parseMatchEnded(
      '{"type":"MatchEnded","version":1,"matchId":"m-1","__proto__":{"reason":7}}',
    );

    expect(result.ok || result.error.issues.map((i) => i.path)).toEqual(['__proto__']);
  });

  it('are reported ten at a time however many there are', () => {
    const nested = `{"a":${'['.repeat(30_000)}${Array.from({ length: 500 }, () => '{"__proto__":1}').join(',')}${']'.repeat(30_000)}}`;

    const error = errorOf(nested);

    expect(error.issues).toHaveLength(11);
    expect(error.issues[10]).toEqual({ path: '…', message: 'and 490 more issues' });
  });
});

describe('own properties only', () => {
  it('salvages a match id only from the object itself, not its prototype', () => {
    expect(salvageMatchId({ matchId: 'm-1' })).toBe('m-1');
    expect(salvageMatchId(Object.create({ matchId: 'm-1' }))).toBeUndefined();
  });

  it('reads a message type only from the body itself, even if Object.prototype was polluted', () => {
    Object.defineProperty(Object.prototype, 'type', { value: 'MatchEnded', configurable: true });
    try {
      expect(typeOf(JSON.parse(bodyOf(aMatchFound())))).toBeUndefined();
      expect(typeOf(JSON.parse('{"type":"MatchEnded"}'))).toBe('MatchEnded');
    } finally {
      delete (Object.prototype as { type?: unknown }).type;
    }
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
