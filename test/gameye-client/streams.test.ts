/**
 * Streams: logs that follow a live container until the caller lets go, and a 100 MB artifact
 * that flows through the client without ever sitting in memory.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { GameyeError } from '../../lambdas/gameye/index.ts';
import { useEmulator } from './emulator.ts';
import { startRawServer } from './raw-server.ts';

const fx = useEmulator();
const START = { location: 'eu-west-1', image: 'arena-server' } as const;
const MB = 1024 * 1024;

describe('logs with follow', () => {
  it('keeps yielding new lines as the container writes them until the caller aborts', async () => {
    await fx.gameye.startSession({ ...START, id: 'live' });
    const controller = new AbortController();
    const lines: string[] = [];

    for await (const line of fx.gameye.logs('live', { follow: true, signal: controller.signal })) {
      lines.push(line);
      // Once the boot lines are in, make the server write heartbeats; stop after a few of them.
      if (lines.length === 5) fx.emulator.admin.advanceClock(10_000);
      if (lines.filter((l) => l.includes('players')).length >= 3) controller.abort();
    }

    expect(lines.length).toBeGreaterThan(5);
    expect(controller.signal.aborted).toBe(true);
  });

  it("ends the iteration quietly when the caller's deadline passes", async () => {
    await fx.gameye.startSession({ ...START, id: 'deadline' });
    const lines: string[] = [];

    for await (const line of fx.gameye.logs('deadline', { follow: true, signal: AbortSignal.timeout(100) })) {
      lines.push(line);
    }

    expect(lines.length).toBeGreaterThanOrEqual(5);
  });

  it('ends the iteration when the server ends the stream because the session stopped', async () => {
    await fx.gameye.startSession({ ...START, id: 'ending' });
    const lines: string[] = [];

    for await (const line of fx.gameye.logs('ending', { follow: true })) {
      lines.push(line);
      if (lines.length === 5) await fx.gameye.stopSession('ending');
    }

    expect(lines.at(-1)).toMatch(/bye$/);
  });

  it('releases the connection when the consumer breaks out of the loop', async () => {
    await fx.gameye.startSession({ ...START, id: 'broken-off' });

    for await (const _line of fx.gameye.logs('broken-off', { follow: true })) break;

    await expect(fx.gameye.describeSession('broken-off')).resolves.toMatchObject({ id: 'broken-off' });
  });
});

describe('artifact streaming', () => {
  it('streams a 100 MB artifact to a sink with flat memory', async () => {
    fx.emulator.admin.setConfig({
      artifacts: { synthetic: { path: '/home/gameserver/replays/match.replay', sizeBytes: 100 * MB } },
    });
    await fx.gameye.startSession({ ...START, id: 'big' });
    await fx.gameye.stopSession('big');
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 5);
    let bytes = 0;

    try {
      const body = await fx.gameye.artifact('big', '/home/gameserver/replays/match.replay');
      await pipeline(
        body,
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done();
          },
        }),
      );
    } finally {
      clearInterval(sample);
    }

    // Random bytes do not compress: the .tar.gz is a little over 100 MB. The emulator's gzip
    // runs in this process too, so the bound covers both ends; buffering would need > 100 MB.
    expect(bytes).toBeGreaterThan(100 * MB);
    expect(peakRss - baseline.rss).toBeLessThan(50 * MB);
    expect(peakHeap - baseline.heapUsed).toBeLessThan(50 * MB);
  });

  it('fails with TIMEOUT when the server stops sending while the consumer waits', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      res.write(Buffer.alloc(1024));
      // ...and nothing more, ever.
    });
    const client = fx.client({ baseUrl: server.url });
    try {
      const body = await client.artifact('s', '/x', { idleTimeoutMs: 100 });
      const error = await pipeline(body, new Writable({ write: (_c, _e, done) => done() })).catch((e) => e);

      expect(error).toBeInstanceOf(GameyeError);
      expect(error).toMatchObject({ code: 'TIMEOUT', status: 0, retryable: true, operation: 'artifacts' });
    } finally {
      await server.close();
    }
  });

  it('fails with NETWORK_ERROR when the connection drops mid-artifact', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': '1000000' });
      res.write(Buffer.alloc(1024), () => res.socket?.destroy());
    });
    const client = fx.client({ baseUrl: server.url });
    try {
      const body = await client.artifact('s', '/x');
      const error = await pipeline(body, new Writable({ write: (_c, _e, done) => done() })).catch((e) => e);

      expect(error).toMatchObject({ name: 'GameyeError', code: 'NETWORK_ERROR', status: 0, retryable: true });
    } finally {
      await server.close();
    }
  });

  it('fails with ABORTED when the caller aborts mid-artifact', async () => {
    const server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      res.write(Buffer.alloc(1024));
    });
    const client = fx.client({ baseUrl: server.url });
    const controller = new AbortController();
    try {
      const body = await client.artifact('s', '/x', { signal: controller.signal });
      const done = pipeline(
        body,
        new Writable({
          write: (_c, _e, next) => {
            controller.abort();
            next();
          },
        }),
      ).catch((e) => e);

      expect(await done).toMatchObject({ name: 'GameyeError', code: 'ABORTED', retryable: false });
    } finally {
      await server.close();
    }
  });
});
