/**
 * The slow-artifact fault: a pass-through stream that lets bytes out no faster than a given
 * rate, so a test can make a 100 MB artifact take as long to download as it would from a
 * far-away host. Bytes are passed on unchanged and in order, only later.
 *
 * A token bucket of one slice (a tenth of a second's worth, at most 64 KiB): a slice goes out
 * once the time since the first byte covers every byte before it, so the average rate never
 * exceeds `bytesPerSecond` and at most one slice leaves early.
 */
import { Transform } from 'node:stream';

/** The time source and timer the pacing runs on; injectable so tests need no real time. */
export interface PacingTimer {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Call `fn` after `ms`; answers a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

/** Real time; the timer does not keep the process alive. */
export const realPacingTimer: PacingTimer = {
  now: () => performance.now(),
  schedule: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

const MAX_SLICE_BYTES = 64 * 1024;

/** The size of the pieces a paced stream lets out for `bytesPerSecond`. */
export function sliceBytes(bytesPerSecond: number): number {
  return Math.max(1, Math.min(MAX_SLICE_BYTES, Math.floor(bytesPerSecond / 10)));
}

/** A Transform that passes its input on at no more than `bytesPerSecond` on average. */
export function pacedStream(bytesPerSecond: number, timer: PacingTimer = realPacingTimer): Transform {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    throw new RangeError(`bytesPerSecond must be a positive number, got ${bytesPerSecond}`);
  }
  const slice = sliceBytes(bytesPerSecond);
  let start: number | undefined;
  let sent = 0;
  let cancel: (() => void) | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let offset = 0;
      const step = (): void => {
        cancel = undefined;
        while (offset < chunk.length) {
          const size = Math.min(slice, chunk.length - offset);
          const now = timer.now();
          start ??= now;
          const due = start + ((sent + size - slice) * 1000) / bytesPerSecond;
          if (due > now) {
            cancel = timer.schedule(due - now, step);
            return;
          }
          this.push(chunk.subarray(offset, offset + size));
          offset += size;
          sent += size;
        }
        callback();
      };
      step();
    },
    destroy(error, callback) {
      cancel?.();
      cancel = undefined;
      callback(error);
    },
  });
}
