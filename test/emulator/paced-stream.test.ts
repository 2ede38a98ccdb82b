import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type PacingTimer, pacedStream, sliceBytes } from '../../tools/gameye-emulator/paced-stream.ts';

/** A clock and timer that move only when the test says so. */
class FakeTimer implements PacingTimer {
  #now = 0;
  #pending: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.#now;
  }
  schedule(ms: number, fn: () => void): () => void {
    const entry = { at: this.#now + ms, fn };
    this.#pending.push(entry);
    return () => {
      this.#pending = this.#pending.filter((e) => e !== entry);
    };
  }
  /** Delays of the timers waiting, from now. */
  get waiting(): number[] {
    return this.#pending.map((e) => e.at - this.#now);
  }
  /** Move time to the next timer and fire it. */
  fireNext(): void {
    this.#pending.sort((a, b) => a.at - b.at);
    const next = this.#pending.shift();
    if (!next) throw new Error('no timer waiting');
    this.#now = next.at;
    next.fn();
  }
}

/** Let the stream's synchronous work and its event emission settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('pacedStream (the slow-artifact fault)', () => {
  it('lets one slice out at once and holds the rest until its time has come', async () => {
    const timer = new FakeTimer();
    const paced = pacedStream(1_000, timer);
    const out: Buffer[] = [];
    paced.on('data', (chunk: Buffer) => out.push(chunk));

    paced.write(Buffer.alloc(350, 1));
    await settle();

    expect(sliceBytes(1_000)).toBe(100);
    expect(out.map((c) => c.length)).toEqual([100]);
    expect(timer.waiting).toEqual([100]);
  });

  it('releases one slice per slice-worth of time, and ends only once everything went out', async () => {
    const timer = new FakeTimer();
    const paced = pacedStream(1_000, timer);
    const out: number[] = [];
    let ended = false;
    paced.on('data', (chunk: Buffer) => out.push(chunk.length));
    paced.on('end', () => {
      ended = true;
    });

    paced.end(Buffer.alloc(350, 1));
    await settle();
    const times: number[] = [];
    while (timer.waiting.length > 0) {
      timer.fireNext();
      times.push(timer.now());
      await settle();
    }

    expect(out).toEqual([100, 100, 100, 50]);
    // Each byte after the first slice waits for its own thousandth of a second: 350 bytes by 250 ms.
    expect(times).toEqual([100, 200, 250]);
    expect(ended).toBe(true);
  });

  it('passes every byte on unchanged and in order, across chunk boundaries', async () => {
    const timer = new FakeTimer();
    const paced = pacedStream(64 * 1024, timer);
    const input = [randomBytes(10_000), randomBytes(1), randomBytes(70_000), randomBytes(5_000)];
    const out: Buffer[] = [];
    paced.on('data', (chunk: Buffer) => out.push(chunk));

    for (const chunk of input) paced.write(chunk);
    paced.end();
    await settle();
    while (timer.waiting.length > 0) {
      timer.fireNext();
      await settle();
    }

    expect(Buffer.concat(out).equals(Buffer.concat(input))).toBe(true);
    // 85,001 bytes at 64 KiB/s: the last slice may go once 85,001 - 6,553 bytes' time has passed.
    expect(timer.now()).toBe(((85_001 - sliceBytes(64 * 1024)) * 1000) / (64 * 1024));
  });

  it('cancels its waiting timer when destroyed, as when the client hangs up', async () => {
    const timer = new FakeTimer();
    const paced = pacedStream(1_000, timer);
    paced.on('data', () => {});
    paced.on('error', () => {});
    paced.write(Buffer.alloc(1_000));
    await settle();
    expect(timer.waiting).toHaveLength(1);

    paced.destroy();

    expect(timer.waiting).toEqual([]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => pacedStream(0)).toThrow(RangeError);
  });
});
