/**
 * Each kind of failure, produced by the emulator on loopback, becomes a GameyeError with the
 * right status, code and retryability.
 */
import { describe, expect, it } from 'vitest';
import { GameyeError } from '../../lambdas/gameye/index.ts';
import { READ_ONLY_TOKEN, useEmulator } from './emulator.ts';

const fx = useEmulator();
const START = { location: 'eu-west-1', image: 'arena-server' } as const;

async function failure(promise: Promise<unknown>): Promise<GameyeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GameyeError)) throw new Error(`expected a GameyeError, got ${String(error)}`);
  return error;
}

describe('errors Gameye answers with its envelope', () => {
  it('reports a bad token as 401, not retryable, with the Gameye identifier', async () => {
    const client = fx.client({ token: 'wrong-token' });

    const error = await failure(client.listSessions());

    expect(error).toMatchObject({ name: 'GameyeError', status: 401, code: 'UNAUTHORIZED', retryable: false });
    expect(error.operation).toBe('session-list');
    expect(error.identifier).toMatch(/[0-9a-f-]{36}/);
  });

  it('reports a token without the scope as 403, not retryable', async () => {
    const client = fx.client({ token: READ_ONLY_TOKEN });

    const error = await failure(client.startSession(START));

    expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', retryable: false });
  });

  it('reports an unknown session as 404, not retryable', async () => {
    const error = await failure(fx.gameye.describeSession('never-started'));

    expect(error).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND', retryable: false });
  });

  it('reports a reused session id as 409, not retryable', async () => {
    await fx.gameye.startSession({ ...START, id: 'dup' });

    const error = await failure(fx.gameye.startSession({ ...START, id: 'dup' }));

    expect(error).toMatchObject({ status: 409, code: 'SESSION_CONFLICT', retryable: false });
  });

  it('reports a full region as 420, retryable', async () => {
    const regions = fx.emulator.config.regions.map((r) =>
      r.name === START.location ? { ...r, capacity: 1 } : r,
    );
    fx.emulator.admin.setConfig({ regions });
    await fx.gameye.startSession(START);

    const error = await failure(fx.gameye.startSession(START));

    expect(error).toMatchObject({ status: 420, retryable: true });
  });

  it('reports an exhausted quota as 402, not retryable', async () => {
    fx.emulator.admin.setConfig({ quota: { totalSessions: 1 } });
    await fx.gameye.startSession(START);

    const error = await failure(fx.gameye.startSession(START));

    expect(error).toMatchObject({ status: 402, code: 'QUOTA_EXHAUSTED', retryable: false });
  });

  it('reports an invalid body as 422 with the field violations', async () => {
    const error = await failure(fx.gameye.startSession({ ...START, location: '', ttl: 'forever' }));

    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.violations.map((v) => v.field).sort()).toEqual(['location', 'ttl']);
  });

  it('reports a 500 as retryable', async () => {
    fx.emulator.admin.setFaults('describe-session', { error500Probability: 1 });

    const error = await failure(fx.gameye.describeSession('x'));

    expect(error).toMatchObject({ status: 500, retryable: true });
  });
});

describe('errors without an envelope', () => {
  it('reports a gateway 503 page as GATEWAY_ERROR with the start of the page, retryable', async () => {
    fx.emulator.admin.setFaults('session-list', { error503Probability: 1 });

    const error = await failure(fx.gameye.listSessions());

    expect(error).toMatchObject({ status: 503, code: 'GATEWAY_ERROR', retryable: true });
    expect(error.message).toContain('text/html');
    expect(error.details).toContain('503 Service Temporarily Unavailable');
    expect(error.details?.length).toBeLessThanOrEqual(200);
  });

  it('reports a reset socket as NETWORK_ERROR with status 0, retryable', async () => {
    fx.emulator.admin.setFaults('tag-exists', { resetProbability: 1 });

    const error = await failure(fx.gameye.tagExists('eu-west-1', 'arena-server', '1.4.0'));

    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a server that never answers as TIMEOUT with status 0, retryable', async () => {
    fx.emulator.admin.setFaults('describe-session', { hangProbability: 1 });

    const error = await failure(fx.gameye.describeSession('x', { timeoutMs: 100 }));

    expect(error).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it('reports a caller abort as ABORTED with status 0, not retryable', async () => {
    fx.emulator.admin.setFaults('describe-session', { hangProbability: 1 });
    const controller = new AbortController();

    const pending = failure(fx.gameye.describeSession('x', { signal: controller.signal }));
    controller.abort();
    const error = await pending;

    expect(error).toMatchObject({ status: 0, code: 'ABORTED', retryable: false });
  });

  it('reports a signal that was already aborted as ABORTED without a request', async () => {
    const error = await failure(fx.gameye.listSessions({}, { signal: AbortSignal.abort() }));

    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(fx.emulator.admin.stats()['session-list']).toBe(0);
  });

  it("reports the caller's own deadline as TIMEOUT, retryable by the layer above", async () => {
    fx.emulator.admin.setFaults('describe-session', { hangProbability: 1 });

    const error = await failure(fx.gameye.describeSession('x', { signal: AbortSignal.timeout(50) }));

    expect(error).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it('reports a refused connection as NETWORK_ERROR, retryable', async () => {
    const client = fx.client({ baseUrl: 'http://127.0.0.1:1' });

    const error = await failure(client.listSessions());

    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
  });
});
