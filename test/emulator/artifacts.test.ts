import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../lambdas/gameye/contract.ts';
import { EMULATOR_DIR } from '../../tools/gameye-emulator/config.ts';
import {
  defaultEmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';
import { callerFor, startArena } from '../../tools/gameye-emulator/testing.ts';

const FIXTURES = join(EMULATOR_DIR, 'fixtures', 'arena-server');
const SYNTHETIC_BYTES = 3 * 1024 * 1024 + 123;

const config = structuredClone(defaultEmulatorConfigInput);
config.artifactRemovalDelayMs = 60_000;
config.artifacts = {
  synthetic: { path: '/home/gameserver/replays/match.replay', sizeBytes: SYNTHETIC_BYTES },
};
const emulator: RunningEmulator = await startEmulator({ config });
const call = callerFor(emulator);

beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.close());

interface Unpacked {
  readonly type: string;
  readonly size: number;
  readonly sha256: string;
  readonly text: string;
}

/** Download an artifact and unpack it entry by entry (never holding the archive whole). */
async function download(
  sessionId: string,
  path: string,
): Promise<{ status: number; type: string | null; entries: Map<string, Unpacked>; body?: unknown }> {
  const res = await fetch(
    `${emulator.url}/artifacts?session=${encodeURIComponent(sessionId)}&path=${encodeURIComponent(path)}`,
    { headers: { authorization: `Bearer ${emulator.token}` } },
  );
  const entries = new Map<string, Unpacked>();
  if (res.status !== 200 || !res.body) {
    return { status: res.status, type: res.headers.get('content-type'), entries, body: await res.json() };
  }
  const unpack = extract();
  Readable.fromWeb(res.body).pipe(createGunzip()).pipe(unpack);
  for await (const entry of unpack) {
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let size = 0;
    for await (const chunk of entry) {
      const buf = chunk as Buffer;
      hash.update(buf);
      if (size < 4096) head.push(buf);
      size += buf.length;
    }
    entries.set(entry.header.name, {
      type: entry.header.type ?? 'file',
      size,
      sha256: hash.digest('hex'),
      text: Buffer.concat(head).toString('utf8'),
    });
  }
  return { status: res.status, type: res.headers.get('content-type'), entries };
}

async function stoppedSession(): Promise<string> {
  const ok = await startArena(call);
  await call('DELETE', `/session/${ok.id}`);
  return ok.id;
}

describe('GET /artifacts', () => {
  it('answers 404 while the session still runs, since artifacts come from the stopped container', async () => {
    const ok = await startArena(call);
    const res = await download(ok.id, '/home/gameserver/logs');
    expect(res.status).toBe(404);
    expect(ErrorResponse.parse(res.body).code).toBe('ARTIFACT_NOT_AVAILABLE');
  });

  it('serves a folder as a valid tar.gz whose files equal the fixtures', async () => {
    const id = await stoppedSession();
    const res = await download(id, '/home/gameserver/logs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/x-tar');
    expect([...res.entries.keys()].sort()).toEqual(['logs/', 'logs/crash.dmp', 'logs/server.log']);
    for (const name of ['server.log', 'crash.dmp']) {
      const expected = await readFile(join(FIXTURES, 'home/gameserver/logs', name), 'utf8');
      expect(res.entries.get(`logs/${name}`)?.text).toBe(expected);
    }
  });

  it('serves a single file under its own name', async () => {
    const id = await stoppedSession();
    const res = await download(id, '/home/gameserver/match/result.json');
    expect([...res.entries.keys()]).toEqual(['result.json']);
    const expected = await readFile(join(FIXTURES, 'home/gameserver/match/result.json'), 'utf8');
    expect(res.entries.get('result.json')?.text).toBe(expected);
  });

  it('generates the configured synthetic file at its size, with the same bytes on every download', async () => {
    const id = await stoppedSession();
    const first = await download(id, '/home/gameserver/replays/match.replay');
    const again = await download(id, '/home/gameserver/replays/match.replay');
    const replay = first.entries.get('match.replay');
    expect(replay?.size).toBe(SYNTHETIC_BYTES);
    expect(again.entries.get('match.replay')?.sha256).toBe(replay?.sha256);
  });

  it('includes the synthetic file when a parent folder is requested', async () => {
    const id = await stoppedSession();
    const res = await download(id, '/home/gameserver');
    expect(res.entries.get('gameserver/replays/match.replay')?.size).toBe(SYNTHETIC_BYTES);
    expect(res.entries.has('gameserver/match/result.json')).toBe(true);
  });

  it('answers 404 for a path that exists neither in the fixtures nor as the synthetic file', async () => {
    const id = await stoppedSession();
    const res = await download(id, '/home/gameserver/nothing.txt');
    expect(res.status).toBe(404);
    expect(ErrorResponse.parse(res.body).code).toBe('ARTIFACT_NOT_FOUND');
  });

  it('answers 404 once the container has been removed after the removal delay', async () => {
    const id = await stoppedSession();
    emulator.admin.advanceClock(30_000);
    expect((await download(id, '/home/gameserver/logs')).status).toBe(200);
    emulator.admin.advanceClock(30_000);
    const res = await download(id, '/home/gameserver/logs');
    expect(res.status).toBe(404);
    expect(ErrorResponse.parse(res.body).code).toBe('ARTIFACT_REMOVED');
  });

  it('answers 404 for an unknown session and 422 for a missing or relative path', async () => {
    expect((await download('ghost', '/home')).status).toBe(404);
    const id = await stoppedSession();
    expect((await call('GET', `/artifacts?session=${id}`)).status).toBe(422);
    expect((await call('GET', `/artifacts?session=${id}&path=relative/x`)).status).toBe(422);
  });
});

describe('the slow-artifact fault', () => {
  const REPLAY = '/home/gameserver/replays/match.replay';
  const admin = callerFor(emulator);

  /** The archive's bytes, hashed as they arrive. */
  async function archiveHash(sessionId: string): Promise<{ sha256: string; bytes: number }> {
    const res = await fetch(`${emulator.url}/artifacts?session=${sessionId}&path=${REPLAY}`, {
      headers: { authorization: `Bearer ${emulator.token}` },
    });
    expect(res.status).toBe(200);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of Readable.fromWeb(res.body as never) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  it('is set at runtime through PATCH /__admin/config and leaves the bytes unchanged', async () => {
    const id = await stoppedSession();
    const unpaced = await archiveHash(id);

    const patched = await admin('PATCH', '/__admin/config', {
      artifacts: { ...config.artifacts, bytesPerSecond: 16 * 1024 * 1024 },
    });
    const paced = await archiveHash(id);

    expect(patched.status).toBe(200);
    const current = (await admin('GET', '/__admin/config')).json as {
      artifacts: { bytesPerSecond?: number };
    };
    expect(current.artifacts.bytesPerSecond).toBe(16 * 1024 * 1024);
    expect(paced).toEqual(unpaced);
    expect(paced.bytes).toBeGreaterThan(SYNTHETIC_BYTES);
  });

  it('holds the rest back: at 1 byte per second the first read is a byte or so and the download stays open', async () => {
    emulator.admin.setConfig({ artifacts: { ...config.artifacts, bytesPerSecond: 1 } });
    const id = await stoppedSession();
    const res = await fetch(`${emulator.url}/artifacts?session=${id}&path=${REPLAY}`, {
      headers: { authorization: `Bearer ${emulator.token}` },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();

    const first = await reader.read();

    expect(res.status).toBe(200);
    expect(first.done).toBe(false);
    // The gzip magic number's first byte; unpaced, the whole 3 MiB archive would be on its way.
    expect(first.value?.[0]).toBe(0x1f);
    expect(first.value?.length).toBeLessThan(64);
    await reader.cancel();
  });

  it('refuses a rate that is not a positive integer', async () => {
    const res = await admin('PATCH', '/__admin/config', { artifacts: { bytesPerSecond: 0 } });

    expect(res.status).toBe(422);
    expect(ErrorResponse.parse(res.json).message).toContain('artifacts.bytesPerSecond');
  });
});
