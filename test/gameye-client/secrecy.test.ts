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
