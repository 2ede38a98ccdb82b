/**
 * Answers the emulator does not give on purpose, from a bare node:http server on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GameyeClient, GameyeError, type GameyeRequestEvent } from '../../lambdas/gameye/index.ts';
import { gameyeError, type RawHandler, type RawServer, sendJson, startRawServer } from './raw-server.ts';

const TOKEN = 'edge-case-secret-token';
const noWait = async (): Promise<void> => {};
let server: RawServer | undefined;
let client: GameyeClient | undefined;

async function serve(
  handler: RawHandler,
  options: Partial<ConstructorParameters<typeof GameyeClient>[0]> = {},
) {
  server = await startRawServer(handler);
  client = new GameyeClient({ baseUrl: server.url, token: TOKEN, sleep: noWait, ...options });
  return { server, client };
}

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const envelope = (status: number, code: string) =>
  gameyeError(status, code, { message: `${code} happened`, details: 'details', identifier: 'corr-42' });

describe('responses that break the contract', () => {
  it('reports INVALID_RESPONSE with the zod issue paths and the ZodError as cause', async () => {
    const { client } = await serve((_req, res) =>
      sendJson(res, 201, { host: 42, ports: [{ type: 'sctp' }] }),
    );

    const error = await client.startSession({ location: 'eu-west-1', image: 'arena-server' }).catch((e) => e);

    expect(error).toBeInstanceOf(GameyeError);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 201, retryable: false });
    expect(error.violations.map((v: { field: string }) => v.field)).toEqual(
      expect.arrayContaining(['host', 'ports.0.type', 'ports.0.container']),
    );
    expect((error.cause as Error).name).toBe('ZodError');
  });

  it('reports INVALID_RESPONSE when a 2xx body is not JSON at all', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });

    await expect(client.tagExists('eu-west-1', 'arena-server', '1.4.0')).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      violations: [{ field: '(body)' }],
    });
  });

  it('reports INVALID_RESPONSE when neither the request nor the answer names the session id', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 201, { host: '198.51.100.1', ports: [] }));

    await expect(client.startSession({ location: 'eu-west-1', image: 'arena-server' })).rejects.toMatchObject(
      {
        code: 'INVALID_RESPONSE',
        violations: [{ field: 'id' }],
      },
    );
  });

  it('keeps the caller id when Gameye answers a start without one', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 201, { host: '198.51.100.1', ports: [] }));

    const started = await client.startSession({ id: 'mine', location: 'eu-west-1', image: 'arena-server' });

    expect(started.id).toBe('mine');
  });
});

describe('error bodies', () => {
  it('reads no more than 64 KiB of an error body, so a gateway page that never ends fails as GATEWAY_ERROR, not TIMEOUT', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      // 128 KiB of page, and then the gateway never finishes it.
      res.write(`<html>bad gateway${' '.repeat(128 * 1024)}`);
    });

    const error = await client.tagExists('r', 'i', 'v', { timeoutMs: 5_000 }).catch((e) => e);

    expect(error).toMatchObject({ status: 502, code: 'GATEWAY_ERROR', details: '<html>bad gateway' });
  });
});

describe('rate limiting', () => {
  it('retries a 429 and waits at least what Retry-After asks, within maxDelayMs', async () => {
    const waits: number[] = [];
    const { client, server } = await serve(
      (_req, res, _body, index) => {
        if (index === 0) sendJson(res, 429, envelope(429, 'TOO_MANY_REQUESTS'), { 'retry-after': '2' });
        else sendJson(res, 200, { exists: true });
      },
      {
        retries: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
        random: () => 0,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );

    await expect(client.tagExists('eu-west-1', 'arena-server', '1.4.0')).resolves.toBe(true);
    expect(waits).toEqual([2_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a 429 that outlasts the attempts as retryable with the Gameye identifier', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 429, envelope(429, 'TOO_MANY_REQUESTS')), {
      retries: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });

    await expect(client.describeSession('s-1')).rejects.toMatchObject({
      status: 429,
      code: 'TOO_MANY_REQUESTS',
      identifier: 'corr-42',
      retryable: true,
      attempts: 2,
    });
  });
});

describe('requests on the wire', () => {
  it('sends the bearer token, JSON and the user agent, and encodes path segments', async () => {
    const { client, server } = await serve((_req, res) => sendJson(res, 200, { exists: false }), {
      userAgent: 'bridge-test/1',
    });

    await client.tagExists('eu west', 'a/b', '..');

    const [request] = server.requests;
    expect(request?.url).toBe('/tag/eu%20west/a%2Fb/%2E%2E');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['user-agent']).toBe('bridge-test/1');
    expect(request?.headers.accept).toBe('application/json');
  });

  it("sends an Accept naming each operation's success media type and Gameye's error type", async () => {
    const { client, server } = await serve((req, res) => {
      if (req.url?.startsWith('/artifacts')) res.writeHead(200, { 'content-type': 'application/x-tar' });
      else if (req.url?.startsWith('/logs')) res.writeHead(200, { 'content-type': 'text/plain' });
      else if (req.method === 'DELETE') res.writeHead(204);
      else res.writeHead(201, { 'content-type': 'application/json' });
      res.end(req.method === 'POST' ? JSON.stringify({ host: '198.51.100.1', ports: [] }) : '');
    });

    (await client.artifact('s-1', '/home/x')).destroy();
    for await (const _line of client.logs('s-1')) break;
    await client.stopSession('s-1');
    await client.startSession({ id: 's-2', location: 'eu-west-1', image: 'arena-server' });

    expect(server.requests.map((r) => [r.method, r.headers.accept, r.headers['content-type']])).toEqual([
      ['GET', 'application/x-tar, application/json', undefined],
      ['GET', 'text/plain, application/json', undefined],
      ['DELETE', 'application/json', undefined],
      ['POST', 'application/json', 'application/json'],
    ]);
  });

  it('prefixes every path with the base URL path', async () => {
    server = await startRawServer((_req, res) => sendJson(res, 200, { locations: [] }));
    client = new GameyeClient({ baseUrl: `${server.url}/gameye/`, token: TOKEN });

    await client.availableLocations('arena-server');

    expect(server.requests[0]?.url).toBe('/gameye/available-location/arena-server');
  });

  it('sends list filters as deepObject query parameters', async () => {
    const { client, server } = await serve((_req, res) => sendJson(res, 200, { sessions: [] }));

    await client.listSessions({
      image: 'arena-server',
      filter: { match: 'm-1' },
      filterNot: { status: 'exited' },
    });

    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(url.searchParams.get('filter[match]')).toBe('m-1');
    expect(url.searchParams.get('filterNot[status]')).toBe('exited');
    expect(url.searchParams.get('image')).toBe('arena-server');
  });

  it('refuses a base URL that carries credentials', () => {
    expect(() => new GameyeClient({ baseUrl: 'https://user:pw@example.com', token: TOKEN })).toThrow(
      TypeError,
    );
  });
});

describe('lifecycle', () => {
  it('answers CLIENT_CLOSED after close, without a request', async () => {
    const { client, server } = await serve((_req, res) => sendJson(res, 200, { exists: true }));
    await client.close();

    await expect(client.tagExists('r', 'i', 'v')).rejects.toMatchObject({
      code: 'CLIENT_CLOSED',
      retryable: false,
    });
    expect(server.requests).toHaveLength(0);
  });

  it('shares one pool between clients of the same base URL, so closing one leaves the other working', async () => {
    const { client, server } = await serve((_req, res) => sendJson(res, 200, { exists: true }));
    const other = new GameyeClient({ baseUrl: server.url, token: TOKEN });

    await other.close();

    await expect(client.tagExists('r', 'i', 'v')).resolves.toBe(true);
  });

  it('reports every attempt of every call to onRequest, failed ones with their error', async () => {
    const events: GameyeRequestEvent[] = [];
    const { client } = await serve(
      (_req, res, _body, index) =>
        index === 0 ? sendJson(res, 500, envelope(500, 'INTERNAL')) : sendJson(res, 200, { exists: true }),
      {
        retries: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        onRequest: (event) => events.push(event),
      },
    );

    await client.tagExists('r', 'i', 'v');
    await client.describeSession('missing').catch(() => undefined);

    expect(events.map((e) => [e.operation, e.method, e.path, e.attempt, e.status, e.error?.code])).toEqual([
      ['tag-exists', 'GET', '/tag/r/i/v', 1, 500, 'INTERNAL'],
      ['tag-exists', 'GET', '/tag/r/i/v', 2, 200, undefined],
      ['describe-session', 'GET', '/session/missing', 1, 200, 'INVALID_RESPONSE'],
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });
});
