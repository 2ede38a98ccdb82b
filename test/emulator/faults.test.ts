import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../lambdas/gameye/contract.ts';
import {
  defaultEmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';
import { callerFor, startArena } from '../../tools/gameye-emulator/testing.ts';

const config = structuredClone(defaultEmulatorConfigInput);
config.seed = 42;
config.faults = {
  'describe-session': { error500Probability: 0.3, error503Probability: 0.3, error420Probability: 0.2 },
};
const emulator: RunningEmulator = await startEmulator({ config });
const call = callerFor(emulator);

beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.close());

async function describeStatuses(times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await call('GET', '/session/unknown')).status);
  return statuses;
}

describe('fault injection', () => {
  it('injects the same faults in the same order under the same seed', async () => {
    const first = await describeStatuses(30);
    emulator.admin.reset();
    expect(await describeStatuses(30)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([404, 420, 500, 503]));
  });

  it('answers an injected 503 like a gateway, as HTML without the Gameye envelope', async () => {
    emulator.admin.setFaults('describe-session', { error503Probability: 1 });
    const res = await call('GET', '/session/anything');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(ErrorResponse.safeParse(res.json).success).toBe(false);
  });

  it('answers injected 500 and 420 with the Gameye envelope', async () => {
    emulator.admin.setFaults('describe-session', { error500Probability: 1 });
    const internal = await call('GET', '/session/anything');
    expect(internal.status).toBe(500);
    expect(ErrorResponse.parse(internal.json).statusCode).toBe(500);
    emulator.admin.setFaults('describe-session', { error420Probability: 1 });
    const busy = await call('GET', '/session/anything');
    expect(ErrorResponse.parse(busy.json).statusCode).toBe(420);
  });

  it('destroys the socket when a reset is injected', async () => {
    emulator.admin.setFaults('session-list', { resetProbability: 1 });
    await expect(call('GET', '/session')).rejects.toThrow();
  });

  it('never answers when a hang is injected, until the client gives up', async () => {
    emulator.admin.setFaults('tag-exists', { hangProbability: 1 });
    const request = fetch(`${emulator.url}/tag/eu-west-1/arena-server/1.4.0`, {
      headers: { authorization: `Bearer ${emulator.token}` },
      signal: AbortSignal.timeout(200),
    });
    await expect(request).rejects.toThrow(/abort|timeout/i);
  });

  it('applies the `*` entry to operations without their own', async () => {
    emulator.admin.setFaults('*', { error500Probability: 1 });
    expect((await call('GET', '/available-location/arena-server')).status).toBe(500);
    emulator.admin.setFaults('*', undefined);
    expect((await call('GET', '/available-location/arena-server')).status).toBe(200);
  });

  it('counts faulted requests in the stats', async () => {
    emulator.admin.setFaults('session-run', { error503Probability: 1 });
    await call('POST', '/session', { location: 'eu-west-1', image: 'arena-server' });
    expect(emulator.admin.stats()['session-run']).toBe(1);
    expect(emulator.admin.sessions()).toEqual([]);
  });

  it('still answers when latency is injected', async () => {
    emulator.admin.setConfig({ latency: { fixedMs: 5, jitterMs: 5 } });
    expect((await call('GET', '/available-location/arena-server')).status).toBe(200);
  });

  it('rejects fault probabilities that sum above 1', () => {
    expect(() =>
      emulator.admin.setFaults('session-run', { error500Probability: 0.7, hangProbability: 0.7 }),
    ).toThrow(/at most 1/);
  });
});

describe('admin over HTTP', () => {
  const admin = callerFor(emulator);

  it('is guarded by the emulator token', async () => {
    const res = await callerFor(emulator, null)('GET', '/__admin/sessions');
    expect(res.status).toBe(401);
    ErrorResponse.parse(res.json);
  });

  it('advances the clock, crashes sessions and sets players', async () => {
    const ok = await startArena(call, { ttl: '2m' });
    expect((await admin('PUT', `/__admin/sessions/${ok.id}/players`, { count: 4 })).status).toBe(200);
    expect(emulator.admin.sessions()[0]?.players).toHaveLength(4);
    expect((await admin('POST', '/__admin/clock/advance', { ms: 120_000 })).status).toBe(200);
    expect(emulator.admin.sessions()[0]?.status).toBe('exited');
    const other = await startArena(call);
    const crashed = await admin('POST', `/__admin/sessions/${other.id}/crash`, { status: 'dead' });
    expect((crashed.json as { status: string }).status).toBe('dead');
  });

  it('reads sessions and stats, sets faults and config, and resets', async () => {
    await startArena(call);
    expect((await admin('GET', '/__admin/sessions')).json).toMatchObject({
      sessions: [{ image: 'arena-server' }],
    });
    expect((await admin('GET', '/__admin/stats')).json).toMatchObject({ 'session-run': 1 });
    expect((await admin('PUT', '/__admin/faults/session-list', { error500Probability: 1 })).status).toBe(200);
    expect((await call('GET', '/session')).status).toBe(500);
    expect((await admin('DELETE', '/__admin/faults/session-list')).status).toBe(200);
    expect((await call('GET', '/session')).status).toBe(200);
    expect((await admin('PATCH', '/__admin/config', { startupDelayMs: 7 })).status).toBe(200);
    expect(((await admin('GET', '/__admin/config')).json as { startupDelayMs: number }).startupDelayMs).toBe(
      7,
    );
    const bad = await admin('PATCH', '/__admin/config', { regions: [] });
    expect(bad.status).toBe(422);
    expect(ErrorResponse.parse(bad.json).message).toContain('regions');
    expect((await admin('POST', '/__admin/reset')).status).toBe(204);
    expect(emulator.admin.sessions()).toEqual([]);
  });
});
