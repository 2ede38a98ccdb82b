import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLabels,
  encodeListQuery,
  GameyeError,
  isRetryable,
  REDACTED,
  scrubSecrets,
} from '../../lambdas/gameye/index.ts';
import { backoffDelay, parseRetryAfter, sleep, validateRetryPolicy } from '../../lambdas/gameye/retry.ts';

describe('isRetryable', () => {
  it.each([420, 429, 500, 502, 503, 504])('retries status %i', (status) => {
    expect(isRetryable(status, 'ANY')).toBe(true);
  });

  it.each([400, 401, 402, 403, 404, 409, 422])('never retries status %i', (status) => {
    expect(isRetryable(status, 'ANY')).toBe(false);
  });

  it('retries network failures and timeouts but not aborts', () => {
    expect(isRetryable(0, 'NETWORK_ERROR')).toBe(true);
    expect(isRetryable(0, 'TIMEOUT')).toBe(true);
    expect(isRetryable(0, 'ABORTED')).toBe(false);
  });

  it('never retries a response that breaks the contract, whatever its status', () => {
    expect(isRetryable(200, 'INVALID_RESPONSE')).toBe(false);
    expect(isRetryable(503, 'INVALID_RESPONSE')).toBe(false);
  });

  it('falls back on the status class for statuses on neither list', () => {
    expect(isRetryable(507, 'X')).toBe(true);
    expect(isRetryable(418, 'X')).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('stays within [0, min(max, base * 2^retry)) for every retry and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, extra, retry, draw) => {
          const policy = { maxAttempts: 5, baseDelayMs: base, maxDelayMs: base + extra };
          const delay = backoffDelay(policy, retry, () => draw);
          const ceiling = Math.min(policy.maxDelayMs, base * 2 ** retry);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('honours Retry-After up to the maximum delay', () => {
    const policy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1_000 };
    expect(backoffDelay(policy, 0, () => 0, 500)).toBe(500);
    expect(backoffDelay(policy, 0, () => 0, 60_000)).toBe(1_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('rejects a policy without a bound', () => {
    expect(() => validateRetryPolicy({ maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 2 })).toThrow(RangeError);
    expect(() => validateRetryPolicy({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
  });
});

describe('sleep', () => {
  it('rejects with the reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('encodeListQuery', () => {
  it('encodes filter, filterNot and playerCount as deepObject parameters', () => {
    const query = encodeListQuery({
      all: true,
      location: 'eu-west-1',
      playerCount: { lt: 4, gt: 0 },
      filter: { match: 'a b&c' },
      filterNot: { status: 'exited' },
    });
    expect(query).toBe(
      'all=true&location=eu-west-1&playerCount[lt]=4&playerCount[gt]=0&filter[match]=a%20b%26c&filterNot[status]=exited',
    );
  });

  it('round-trips any filter keys and values through URLSearchParams', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (filter) => {
        const params = new URLSearchParams(encodeListQuery({ filter }));
        for (const [key, value] of Object.entries(filter)) expect(params.get(`filter[${key}]`)).toBe(value);
      }),
    );
  });
});

describe('decodeLabels', () => {
  it('decodes the caller labels from tags and the injected env', () => {
    const decoded = decodeLabels({
      tags: '{"match":"m-1","mode":"ranked"}',
      env: '{"GAMEYE_SESSION_ID":"s-1","GAMEYE_HOST":"198.51.100.11"}',
    });
    expect(decoded.userLabels).toEqual({ match: 'm-1', mode: 'ranked' });
    expect(decoded.injectedEnv).toEqual({ GAMEYE_SESSION_ID: 's-1', GAMEYE_HOST: '198.51.100.11' });
  });

  it('tolerates missing, garbled or non-object JSON', () => {
    expect(decodeLabels(undefined).userLabels).toEqual({});
    expect(decodeLabels({ tags: '{not json' }).userLabels).toEqual({});
    expect(decodeLabels({ tags: '[1,2]' }).userLabels).toEqual({});
    expect(decodeLabels({ tags: '{"a":1,"b":"2"}' }).userLabels).toEqual({ b: '2' });
  });

  it('keeps a __proto__ label as a plain key without touching the prototype', () => {
    const { userLabels } = decodeLabels({ tags: '{"__proto__":"x"}' });
    expect(Object.getPrototypeOf(userLabels)).toBe(Object.prototype);
    expect(Object.keys(userLabels)).toEqual(['__proto__']);
  });
});

describe('GameyeError', () => {
  it('serialises to a flat record for structured logs', () => {
    const error = new GameyeError({
      operation: 'session-run',
      status: 409,
      code: 'SESSION_CONFLICT',
      message: 'taken',
      identifier: 'corr-1',
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: 'GameyeError',
      operation: 'session-run',
      status: 409,
      code: 'SESSION_CONFLICT',
      identifier: 'corr-1',
      retryable: false,
    });
    expect(String(error)).toBe('GameyeError [session-run 409 SESSION_CONFLICT] taken (identifier corr-1)');
  });
});

describe('scrubSecrets', () => {
  it.each([
    [
      'a bearer credential, keeping the scheme',
      'Authorization: Bearer abc',
      `Authorization: Bearer ${REDACTED}`,
    ],
    ['a bearer credential in any case', 'authorization: bearer abc.def', `authorization: bearer ${REDACTED}`],
    ['a JWT', 'jwt eyJhbGciOiJub25lIn0.e30. end', `jwt ${REDACTED} end`],
    ['three long dot-joined segments', 'x aaaaaaaaaa1.bbbbbbbbbb2.cccccccccc3 y', `x ${REDACTED} y`],
    ['24+ characters of base64url with a digit', 'k=Zm9vYmFyYmF6cXV4cXV1eDEy', `k=${REDACTED}`],
    ['base64 with padding', 'k=QUJDREVGR0hJSktMTU5PUFFSU1RVVldY== ok', `k=${REDACTED} ok`],
    ['40 hex digits', 'sha 0123456789abcdef0123456789abcdef01234567', `sha ${REDACTED}`],
    ['24+ letters in mixed case', 'k=AbCdEfGhIjKlMnOpQrStUvWx', `k=${REDACTED}`],
  ])('replaces %s', (_name, input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
  });

  it.each([
    ['a UUID', 'session "c595bc6f-8522-4a62-95cd-8742136643ea" does not exist'],
    ['a UUID inside a path', 'GET /session/c595bc6f-8522-4a62-95cd-8742136643ea failed'],
    ['lowercase words joined by hyphens', 'the-container-has-been-removed-from-its-host'],
    ['an upper-case code', 'SESSION_ALREADY_STOPPED_BY_THE_REAPER'],
    ['a short identifier with digits', 'session match-1234 in eu-west-1'],
    ['a host name', 'api.production-gameye.gameye.net answered'],
    ['an ISO timestamp', '2024-01-01T00:00:00.000Z'],
  ])('keeps %s', (_name, input) => {
    expect(scrubSecrets(input)).toBe(input);
  });

  it('replaces a known secret verbatim whatever its shape', () => {
    expect(scrubSecrets('echo: short-secret!', ['short-secret'])).toBe(`echo: ${REDACTED}!`);
  });

  it('leaves no run of 24 base64url characters containing a digit, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ09_-. /:='.split('')), maxLength: 80 }), (text) => {
        const runs = scrubSecrets(text).match(/[A-Za-z0-9+/_-]{24,}/g) ?? [];
        for (const run of runs)
          expect(
            /\d/.test(run.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '')),
          ).toBe(false);
      }),
    );
  });
});
