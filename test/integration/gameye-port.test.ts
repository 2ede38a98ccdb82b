/**
 * Placement's Gameye port over the real client and a loopback server: a start that does not
 * answer within its attempt timeout is sent again with the same session id, so a hung start
 * costs one short timeout instead of the whole call's, and one that did land answers "exists
 * already" (which placement adopts) instead of starting a second server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GameyePortAdapter } from '../../lambdas/adapters/gameye-port.ts';
import { GameyeCallError } from '../../lambdas/core/errors.ts';
import type { StartSessionRequest } from '../../lambdas/core/ports.ts';
import { GameyeClient } from '../../lambdas/gameye/index.ts';
import { gameyeError, type RawServer, sendJson, startRawServer } from '../gameye-client/raw-server.ts';

const START: StartSessionRequest = {
  id: '6d1f2b9e-3c4a-4e5f-8a7b-9c0d1e2f3a4b',
  location: 'eu-west-1',
  image: 'arena-server',
  env: {},
  labels: {},
};
const STARTED = {
  id: START.id,
  host: '198.51.100.11',
  ports: [{ type: 'udp', container: 7777, host: 24011 }],
};

let server: RawServer | undefined;
let client: GameyeClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
});

function portOn(url: string, attempts: number): GameyePortAdapter {
  client = new GameyeClient({ baseUrl: url, token: 'test-token' });
  return new GameyePortAdapter({ client, timeoutMs: 10_000, startAttempts: { timeoutMs: 150, attempts } });
}

describe('a start that hangs', () => {
  it('is sent again with the same id after its attempt timeout, and the answer of the repeat is used', async () => {
    // The first start never answers; the second does.
    server = await startRawServer((_req, res, _body, index) => {
      if (index > 0) sendJson(res, 201, STARTED);
    });
    const started = await portOn(server.url, 3).startSession(START);

    expect(started.host).toBe('198.51.100.11');
    const ids = server.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(ids).toEqual([START.id, START.id]);
  });

  it('that did start the session is answered "exists already" on the repeat, for placement to adopt', async () => {
    server = await startRawServer((_req, res, _body, index) => {
      if (index > 0) sendJson(res, 409, gameyeError(409, 'SESSION_CONFLICT'));
    });

    const failure = await portOn(server.url, 3)
      .startSession(START)
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(GameyeCallError);
    expect(failure).toMatchObject({ kind: 'session-exists', identifier: 'gid-SESSION_CONFLICT' });
    expect(server.requests).toHaveLength(2);
  });

  it('every time is Gameye unavailable after the configured attempts, a transient failure', async () => {
    server = await startRawServer(() => {});

    await expect(portOn(server.url, 3).startSession(START)).rejects.toMatchObject({
      kind: 'unavailable',
      retryable: true,
    });
    expect(server.requests).toHaveLength(3);
  });
});

describe('a start answered "no capacity"', () => {
  it('is not repeated in place: placement moves on to the next region', async () => {
    server = await startRawServer((_req, res) => sendJson(res, 420, gameyeError(420, 'NO_CAPACITY')));

    await expect(portOn(server.url, 3).startSession(START)).rejects.toMatchObject({ kind: 'region-full' });
    expect(server.requests).toHaveLength(1);
  });
});
