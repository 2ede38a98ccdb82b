/**
 * The bearer token never shows: not in the client's inspection, string or JSON form, not in
 * any error of any kind (message, stack, toString, toJSON, util.inspect), not in hook events.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GameyeClient, type GameyeError, type GameyeRequestEvent } from '../../lambdas/gameye/index.ts';
import { TOKEN, useEmulator } from './emulator.ts';
import { sendJson, startRawServer } from './raw-server.ts';

const fx = useEmulator();

/** Every way a value might get printed or logged. */
function renderings(value: unknown): string[] {
  const out = [
    inspect(value, { depth: 10, showHidden: true, getters: true }),
    inspect(value, { depth: 10, customInspect: false, showHidden: true }),
    JSON.stringify(value) ?? '',
    String(value),
  ];
  if (value instanceof Error) out.push(value.message, value.stack ?? '', inspect(value.cause, { depth: 10 }));
  return out;
}

function expectNoToken(value: unknown): void {
  for (const text of renderings(value)) expect(text).not.toContain(TOKEN);
}

describe('token secrecy', () => {
  it('keeps the token out of the client when inspected, stringified or serialised', () => {
    const client = fx.client();

    expectNoToken(client);
    expect(inspect(client)).toContain('[redacted]');
    expect(Object.keys(client)).toEqual([]);
  });

  it('keeps the token out of errors of every kind', async () => {
    const errors: unknown[] = [];
    const collect = (p: Promise<unknown>) => p.catch((e: unknown) => errors.push(e));
    const { admin } = fx.emulator;
    const client = fx.client({ timeoutMs: 100 });

    await collect(fx.client({ token: `${TOKEN}-wrong` }).listSessions());
    await collect(client.describeSession('missing'));
    await collect(client.startSession({ location: '', image: 'arena-server' }));
    admin.setFaults('session-list', { error503Probability: 1 });
    await collect(client.listSessions());
    admin.setFaults('session-list', { resetProbability: 1 });
    await collect(client.listSessions());
    admin.setFaults('session-list', { hangProbability: 1 });
    await collect(client.listSessions());
    await collect(client.listSessions({}, { signal: AbortSignal.abort() }));
    const raw = await startRawServer((_req, res) => sendJson(res, 200, { sessions: [{ id: 1 }] }));
    await collect(fx.client({ baseUrl: raw.url }).listSessions());
    await raw.close();

    expect(errors.map((e) => (e as GameyeError).code)).toEqual([
      'UNAUTHORIZED',
      'SESSION_NOT_FOUND',
      'UNPROCESSABLE_ENTITY',
      'GATEWAY_ERROR',
      'NETWORK_ERROR',
      'TIMEOUT',
      'ABORTED',
      'INVALID_RESPONSE',
    ]);
    for (const error of errors) expectNoToken(error);
  });

  it('keeps the token out of the events given to the onRequest hook', async () => {
    const events: GameyeRequestEvent[] = [];
    const client = fx.client({ onRequest: (event) => events.push(event) });

    await client.describeSession('missing').catch(() => undefined);
    await client.listSessions();

    expect(events).toHaveLength(2);
    for (const event of events) expectNoToken(event);
  });

  it('never echoes the token in a constructor error', () => {
    const error = (() => {
      try {
        return new GameyeClient({ baseUrl: 'ftp://example.com', token: TOKEN });
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(TypeError);
    expectNoToken(error);
  });
});

describe('token-shaped text in error bodies', () => {
  /** A credential of some other system, shaped like most API keys: 40 characters of base64url. */
  const FOREIGN_KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcKq9Xz0Ab';
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJicmlkZ2UifQ.S1gnatureS1gnatureS1gnatureS1gnat';

  async function failureFrom(handler: Parameters<typeof startRawServer>[0]): Promise<GameyeError> {
    const raw = await startRawServer(handler);
    try {
      return await fx
        .client({ baseUrl: raw.url })
        .describeSession('c595bc6f-8522-4a62-95cd-8742136643ea')
        .catch((e: GameyeError) => e)
        .then((e) => e as GameyeError);
    } finally {
      await raw.close();
    }
  }

  it('scrubs the bearer token from a gateway page that echoes the request headers', async () => {
    const error = await failureFrom((req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`502 upstream failed\nrequest headers:\nauthorization: ${req.headers.authorization}\n`);
    });

    expect(error).toMatchObject({ status: 502, code: 'GATEWAY_ERROR' });
    expect(error.details).toContain('authorization: Bearer [redacted]');
    expectNoToken(error);
  });

  it('scrubs a token echoed without its scheme, a JWT and a foreign API key', async () => {
    const error = await failureFrom((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(
        `token=${TOKEN} session=${JWT} key=${FOREIGN_KEY} path=/session/c595bc6f-8522-4a62-95cd-8742136643ea`,
      );
    });

    expect(error.details).toBe(
      'token=[redacted] session=[redacted] key=[redacted] path=/session/c595bc6f-8522-4a62-95cd-8742136643ea',
    );
    expectNoToken(error);
  });

  it('scrubs a credential before the 200-character excerpt is cut, so no first half survives at the edge', async () => {
    const error = await failureFrom((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`${'x '.repeat(95)}${FOREIGN_KEY} and more`);
    });

    expect(error.details?.length).toBeLessThanOrEqual(200);
    expect(error.details).not.toContain(FOREIGN_KEY.slice(0, 8));
  });

  it("scrubs Gameye's own envelope: message, details and violations", async () => {
    const error = await failureFrom((req, res) =>
      sendJson(res, 422, {
        statusCode: 422,
        code: 'UNPROCESSABLE_ENTITY',
        message: `rejected ${req.headers.authorization}`,
        details: `api key ${FOREIGN_KEY}`,
        path: '/session',
        identifier: 'c595bc6f-8522-4a62-95cd-8742136643ea',
        timestamp: new Date(0).toISOString(),
        violations: [{ field: 'env.TOKEN', description: `must not be ${JWT}` }],
      }),
    );

    expect(error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'rejected Bearer [redacted]',
      details: 'api key [redacted]',
      identifier: 'c595bc6f-8522-4a62-95cd-8742136643ea',
      violations: [{ field: 'env.TOKEN', description: 'must not be [redacted]' }],
    });
    expectNoToken(error);
  });

  it('drops the body snippet a JSON parser quotes when a 2xx is not JSON', async () => {
    const error = await failureFrom((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${TOKEN} is not json`);
    });

    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', violations: [{ field: '(body)' }] });
    expect(error.violations[0]?.description).toBe("not JSON: Unexpected token 'e'");
    for (const text of renderings(error)) expect(text).not.toContain(TOKEN.slice(0, 8));
  });
});
