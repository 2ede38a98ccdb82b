/**
 * Bounded retries against the emulator's fault injection. The injected `sleep` stands in for
 * the backoff wait (no real time passes) and is where a test changes the server's mind.
 */
import { describe, expect, it } from 'vitest';
import type { GameyeError, GameyeRequestEvent } from '../../lambdas/gameye/index.ts';
import { useEmulator } from './emulator.ts';

const fx = useEmulator();
const START = { location: 'eu-west-1', image: 'arena-server' } as const;
const RETRIES = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('retries', () => {
  it('retries a 5xx and returns the answer of the attempt that succeeds', async () => {
    await fx.gameye.startSession({ ...START, id: 'flaky' });
    fx.emulator.admin.setFaults('describe-session', { error500Probability: 1 });
    const events: GameyeRequestEvent[] = [];
    const client = fx.client({
      retries: RETRIES,
      onRequest: (event) => events.push(event),
      sleep: async () => fx.emulator.admin.setFaults('describe-session', undefined),
    });

    const session = await client.describeSession('flaky');

    expect(session.id).toBe('flaky');
    expect(fx.emulator.admin.stats()['describe-session']).toBe(2);
    expect(events.map((e) => [e.attempt, e.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it('retries a gateway 503, a reset socket and a hang alike', async () => {
    const faults = [{ error503Probability: 1 }, { resetProbability: 1 }, { hangProbability: 1 }];
    fx.emulator.admin.setFaults('session-list', faults.shift());
    const client = fx.client({
      timeoutMs: 100,
      retries: RETRIES,
      sleep: async () => fx.emulator.admin.setFaults('session-list', faults.shift()),
    });

    await expect(client.listSessions()).resolves.toEqual([]);
    expect(fx.emulator.admin.stats()['session-list']).toBe(4);
  });

  it('never retries a 4xx', async () => {
    const client = fx.client({ retries: RETRIES });

    const error = await client.describeSession('missing').catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 404, attempts: 1 });
    expect(fx.emulator.admin.stats()['describe-session']).toBe(1);
  });

  it('gives up after maxAttempts and reports the last failure with the attempt count', async () => {
    fx.emulator.admin.setFaults('tag-exists', { error500Probability: 1 });
    const client = fx.client({ retries: { ...RETRIES, maxAttempts: 3 }, sleep: async () => {} });

    const error = await client.tagExists('eu-west-1', 'arena-server', '1.4.0').catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 3 });
    expect(fx.emulator.admin.stats()['tag-exists']).toBe(3);
  });

  it('never retries a start without a caller id, since a second start could be a second server', async () => {
    fx.emulator.admin.setFaults('session-run', { error500Probability: 1 });
    const client = fx.client({ retries: RETRIES, sleep: async () => {} });

    const error = await client.startSession(START).catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 1 });
    expect(fx.emulator.admin.stats()['session-run']).toBe(1);
  });

  it('retries a start that names its id, and starts exactly one session', async () => {
    fx.emulator.admin.setFaults('session-run', { error420Probability: 1 });
    const client = fx.client({
      retries: RETRIES,
      sleep: async () => fx.emulator.admin.setFaults('session-run', undefined),
    });

    const started = await client.startSession({ ...START, id: 'idem' });

    expect(started.id).toBe('idem');
    expect(fx.emulator.admin.stats()['session-run']).toBe(2);
    expect(fx.emulator.admin.sessions()).toHaveLength(1);
  });

  it('reports 409 after a retry when the failed first attempt had in fact started the session', async () => {
    fx.emulator.admin.setFaults('session-run', { error503Probability: 1 });
    const client = fx.client({
      retries: RETRIES,
      sleep: async () => {
        // A gateway can time out after Gameye acted: the first start did happen.
        fx.emulator.admin.setFaults('session-run', undefined);
        await fx.gameye.startSession({ ...START, id: 'won-earlier' });
      },
    });

    const error = await client.startSession({ ...START, id: 'won-earlier' }).catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 409, retryable: false, attempts: 2 });
    expect(fx.emulator.admin.sessions().map((s) => s.id)).toEqual(['won-earlier']);
  });

  it('waits a full-jitter delay below min(maxDelayMs, baseDelayMs * 2^retry) before each retry', async () => {
    fx.emulator.admin.setFaults('session-list', { error500Probability: 1 });
    const waits: number[] = [];
    const client = fx.client({
      retries: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 },
      random: () => 0.999,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    await client.listSessions().catch(() => undefined);

    expect(waits).toEqual([99, 199, 399, 499]);
  });

  it('stops retrying when the caller aborts during the backoff, and reports ABORTED', async () => {
    fx.emulator.admin.setFaults('session-list', { error500Probability: 1 });
    const controller = new AbortController();
    const client = fx.client({ retries: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const events: GameyeRequestEvent[] = [];
    const watcher = fx.client({
      retries: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      onRequest: (event) => {
        events.push(event);
        // Abort once the client is waiting out its backoff.
        setImmediate(() => controller.abort());
      },
    });

    const error = await watcher.listSessions({}, { signal: controller.signal }).catch((e: GameyeError) => e);

    expect(error).toMatchObject({ code: 'ABORTED', retryable: false, attempts: 1 });
    expect(events.map((e) => e.status)).toEqual([500]);
    expect(fx.emulator.admin.stats()['session-list']).toBe(1);
    await client.close();
  });

  it('lets retryIf narrow the retries, here to leave 420 to the caller', async () => {
    fx.emulator.admin.setFaults('session-run', { error420Probability: 1 });
    const client = fx.client({ retries: RETRIES, retryIf: (e) => e.status !== 420, sleep: async () => {} });

    const error = await client.startSession({ ...START, id: 'full' }).catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 420, retryable: true, attempts: 1 });
    expect(fx.emulator.admin.stats()['session-run']).toBe(1);
  });

  it('reports every attempt to the onRequest hook', async () => {
    fx.emulator.admin.setFaults('describe-session', { error500Probability: 1 });
    const events: GameyeRequestEvent[] = [];
    const client = fx.client({
      retries: RETRIES,
      onRequest: (event) => events.push(event),
      sleep: async () => fx.emulator.admin.setFaults('describe-session', undefined),
    });

    await client.describeSession('unknown').catch(() => undefined);

    expect(events.map((e) => [e.operation, e.attempt, e.status, e.error?.code])).toEqual([
      ['describe-session', 1, 500, 'INTERNAL_SERVER_ERROR'],
      ['describe-session', 2, 404, 'SESSION_NOT_FOUND'],
    ]);
  });
});

describe('per-call retries', () => {
  it("retries a start on TIMEOUT with the call's own policy and a short per-attempt timeout, starting one session", async () => {
    fx.emulator.admin.setFaults('session-run', { hangProbability: 1 });
    const client = fx.client({ sleep: async () => fx.emulator.admin.setFaults('session-run', undefined) });

    const started = await client.startSession(
      { ...START, id: 'short-timeout' },
      { timeoutMs: 100, retries: RETRIES, retryIf: (e) => e.code === 'TIMEOUT' },
    );

    expect(started.id).toBe('short-timeout');
    expect(fx.emulator.admin.stats()['session-run']).toBe(2);
    expect(fx.emulator.admin.sessions().map((s) => s.id)).toEqual(['short-timeout']);
  });

  it("replaces the client's retryIf for the call, here to retry the TIMEOUT the client leaves alone", async () => {
    fx.emulator.admin.setFaults('tag-exists', { hangProbability: 1 });
    const client = fx.client({
      timeoutMs: 100,
      retries: RETRIES,
      retryIf: (e) => e.code !== 'TIMEOUT',
      sleep: async () => fx.emulator.admin.setFaults('tag-exists', undefined),
    });

    const exists = await client.tagExists('eu-west-1', 'arena-server', '1.4.0', { retryIf: () => true });

    expect(exists).toBe(true);
    expect(fx.emulator.admin.stats()['tag-exists']).toBe(2);
  });

  it("keeps the client's retryIf for calls that do not replace it", async () => {
    fx.emulator.admin.setFaults('tag-exists', { hangProbability: 1 });
    const client = fx.client({
      timeoutMs: 100,
      retries: RETRIES,
      retryIf: (e) => e.code !== 'TIMEOUT',
      sleep: async () => {},
    });

    const error = await client.tagExists('eu-west-1', 'arena-server', '1.4.0').catch((e: GameyeError) => e);

    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 1 });
  });

  it('turns the client retries off for one call with maxAttempts 1', async () => {
    fx.emulator.admin.setFaults('session-list', { error500Probability: 1 });
    const client = fx.client({ retries: RETRIES, sleep: async () => {} });

    const error = await client
      .listSessions({}, { retries: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .catch((e: GameyeError) => e);

    expect(error).toMatchObject({ status: 500, attempts: 1 });
    expect(fx.emulator.admin.stats()['session-list']).toBe(1);
  });

  it('can only narrow: a per-call retryIf answering true retries neither a start without an id nor a 404', async () => {
    fx.emulator.admin.setFaults('session-run', { error500Probability: 1 });
    const client = fx.client({ sleep: async () => {} });
    const always = { retries: RETRIES, retryIf: () => true };

    const start = await client.startSession(START, always).catch((e: GameyeError) => e);
    const missing = await client.describeSession('missing', always).catch((e: GameyeError) => e);

    expect(start).toMatchObject({ status: 500, attempts: 1 });
    expect(missing).toMatchObject({ status: 404, attempts: 1 });
    expect(fx.emulator.admin.stats()['session-run']).toBe(1);
    expect(fx.emulator.admin.stats()['describe-session']).toBe(1);
  });

  it('rejects a per-call policy without a bound before sending anything', async () => {
    const client = fx.client();

    await expect(
      client.listSessions({}, { retries: { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 } }),
    ).rejects.toThrow(RangeError);
    expect(fx.emulator.admin.stats()['session-list']).toBe(0);
  });
});
