import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../lambdas/gameye/contract.ts';
import {
  defaultEmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';
import { callerFor, startArena } from '../../tools/gameye-emulator/testing.ts';

const config = structuredClone(defaultEmulatorConfigInput);
config.logIntervalMs = 20;
// Heartbeats start after the startup delay; a long one keeps real time out of the text.
config.startupDelayMs = 10_000;
const emulator: RunningEmulator = await startEmulator({ config });
const call = callerFor(emulator);

beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.close());

describe('GET /logs', () => {
  it('answers the output so far as text, with boot, player and heartbeat lines', async () => {
    const ok = await startArena(call, { id: 'log-1' });
    await call('PUT', '/session/player/join', { session: ok.id, players: ['alice'] });
    emulator.admin.advanceClock(emulator.config.startupDelayMs + emulator.config.logIntervalMs);
    const res = await call('GET', `/logs?id=${ok.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('arena-server 1.4.0');
    expect(res.text).toContain('session log-1');
    expect(res.text).toContain('player alice joined');
    expect(res.text).toMatch(/heartbeat 1: players=1/);
  });

  it('writes the same lines for the same session id and the same calls', async () => {
    const read = async () => {
      emulator.admin.reset();
      await startArena(call, { id: 'same' });
      await call('DELETE', '/session/same');
      return (await call('GET', '/logs?id=same')).text;
    };
    const first = await read();
    expect(await read()).toBe(first);
  });

  it('answers 404 for an unknown session', async () => {
    const res = await call('GET', '/logs?id=ghost');
    expect(res.status).toBe(404);
    ErrorResponse.parse(res.json);
  });

  it('keeps streaming with follow=true and ends the stream when the session stops', async () => {
    const ok = await startArena(call);
    const res = await fetch(`${emulator.url}/logs?id=${ok.id}&follow=true`, {
      headers: { authorization: `Bearer ${emulator.token}` },
    });
    expect(res.status).toBe(200);
    emulator.admin.advanceClock(emulator.config.startupDelayMs);
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    // Wait for a heartbeat pushed by the follow timer, then stop the session.
    while (!text.includes('heartbeat')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended before the session stopped');
      text += decoder.decode(value, { stream: true });
    }
    await call('DELETE', `/session/${ok.id}`);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('stop requested through the API');
    expect(text.trimEnd().endsWith('bye')).toBe(true);
  });

  it('ends a follow stream on reset without writing the heartbeats due or shutdown lines', async () => {
    const ok = await startArena(call);
    const res = await fetch(`${emulator.url}/logs?id=${ok.id}&follow=true`, {
      headers: { authorization: `Bearer ${emulator.token}` },
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    // An hour of heartbeats due: a stop would write them (up to its catch-up cap) before "bye".
    emulator.admin.advanceClock(3_600_000);

    emulator.admin.reset();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }

    expect(text).toContain('server ready');
    expect(text).not.toContain('heartbeat');
    expect(text).not.toContain('bye');
  });

  it('releases a follow stream when the client disconnects', async () => {
    const ok = await startArena(call);
    const controller = new AbortController();
    const res = await fetch(`${emulator.url}/logs?id=${ok.id}&follow=true`, {
      headers: { authorization: `Bearer ${emulator.token}` },
      signal: controller.signal,
    });
    await res.body?.getReader().read();
    controller.abort();
    // The session can still be stopped and read afterwards: nothing is left writing to the gone client.
    expect((await call('DELETE', `/session/${ok.id}`)).status).toBe(204);
    expect((await call('GET', `/logs?id=${ok.id}`)).text).toContain('bye');
  });

  it('answers a stopped session with follow=true by ending after the last line', async () => {
    const ok = await startArena(call);
    await call('DELETE', `/session/${ok.id}`);
    const res = await call('GET', `/logs?id=${ok.id}&follow=true`);
    expect(res.text.trimEnd().endsWith('bye')).toBe(true);
  });
});
