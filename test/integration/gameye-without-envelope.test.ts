/**
 * A 404 or 409 that Gameye did not send: a proxy's or load balancer's page, a misrouted
 * request. Only Gameye's own answer (its error envelope) says a session is gone, unknown or
 * already there. Read from anyone else, "gone" would end the record of a server that still
 * runs (a zombie nobody stops), and "missing" would drop an artifact from the archive. Both
 * Gameye ports, over the real client and a loopback server, must take it as an outage instead.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GameyeLifecycleAdapter } from '../../lambdas/adapters/gameye-lifecycle.ts';
import { GameyePortAdapter } from '../../lambdas/adapters/gameye-port.ts';
import { GameyeCallError } from '../../lambdas/core/errors.ts';
import { GameyeClient } from '../../lambdas/gameye/index.ts';
import { gameyeError, type RawServer, sendJson, startRawServer } from '../gameye-client/raw-server.ts';

const SESSION_ID = '6d1f2b9e-3c4a-4e5f-8a7b-9c0d1e2f3a4b';

let server: RawServer | undefined;
let client: GameyeClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
});

/** A proxy's own page, as nginx sends it for a path it does not route. */
function proxyPage(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(
    `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center></body></html>`,
  );
}

/** Gameye's own answer with the same status. */
function gameyeAnswer(res: ServerResponse, status: number): void {
  sendJson(
    res,
    status,
    gameyeError(status, status === 404 ? 'SESSION_NOT_FOUND' : 'SESSION_ALREADY_STOPPED'),
  );
}

async function serving(answer: (res: ServerResponse) => void): Promise<string> {
  server = await startRawServer((_req, res) => answer(res));
  return server.url;
}

function lifecycleOn(url: string): GameyeLifecycleAdapter {
  client = new GameyeClient({ baseUrl: url, token: 'test-token' });
  return new GameyeLifecycleAdapter({ client, timeoutMs: 5_000 });
}

function portOn(url: string): GameyePortAdapter {
  client = new GameyeClient({ baseUrl: url, token: 'test-token' });
  return new GameyePortAdapter({ client, timeoutMs: 5_000 });
}

/** The call fails as an outage, worth asking again, not as an answer about the session. */
async function expectOutage(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GameyeCallError);
  expect(error).toMatchObject({ kind: 'unavailable', retryable: true, code: 'GATEWAY_ERROR' });
}

describe("the reaper's port, given a 404 or 409 that Gameye did not send", () => {
  it.each([404, 409])('does not take a stop answered %i by a proxy as "already gone"', async (status) => {
    await expectOutage(lifecycleOn(await serving((res) => proxyPage(res, status))).stopSession(SESSION_ID));
  });

  it('does not take a describe answered 404 by a proxy as "no such session"', async () => {
    await expectOutage(lifecycleOn(await serving((res) => proxyPage(res, 404))).describeSession(SESSION_ID));
  });

  it('does not take an artifact answered 404 by a proxy as "missing"', async () => {
    const lifecycle = lifecycleOn(await serving((res) => proxyPage(res, 404)));
    await expectOutage(lifecycle.artifact(SESSION_ID, '/srv/result.json'));
  });

  it("still takes Gameye's own 404 and 409 as the answers they are", async () => {
    expect(await lifecycleOn(await serving((res) => gameyeAnswer(res, 404))).stopSession(SESSION_ID)).toBe(
      'already-gone',
    );
    await client?.close();
    await server?.close();
    expect(await lifecycleOn(await serving((res) => gameyeAnswer(res, 409))).stopSession(SESSION_ID)).toBe(
      'already-gone',
    );
    await client?.close();
    await server?.close();
    expect(
      await lifecycleOn(await serving((res) => gameyeAnswer(res, 404))).describeSession(SESSION_ID),
    ).toBe(undefined);
  });
});

describe("placement's port, given a 404 or 409 that Gameye did not send", () => {
  it('does not take a describe answered 404 by a proxy as "no such session"', async () => {
    await expectOutage(portOn(await serving((res) => proxyPage(res, 404))).describeSession(SESSION_ID));
  });

  it('does not take a start answered 409 by a proxy as "exists already", which placement would adopt', async () => {
    const port = portOn(await serving((res) => proxyPage(res, 409)));
    await expectOutage(
      port.startSession({
        id: SESSION_ID,
        location: 'eu-west-1',
        image: 'arena-server',
        env: {},
        labels: {},
      }),
    );
  });
});
