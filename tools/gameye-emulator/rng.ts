/**
 * Small deterministic generators: the emulator must be reproducible under a seed (fault
 * injection, jitter) and per session (logs, synthetic artifact bytes).
 */
import { Readable } from 'node:stream';

/** A uniform [0, 1) source. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough to decide faults; not for anything secret. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a 32-bit: turns a session id (and path) into a seed. */
export function hashSeed(...parts: string[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      hash ^= part.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0xff; // separator, so ('ab','c') and ('a','bc') differ
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * A stream of `size` pseudo-random bytes from `seed` (xorshift32), produced chunk by chunk on
 * demand, so a 100 MB artifact costs one 64 KiB buffer at a time.
 */
export function seededBytes(seed: number, size: number): Readable {
  let state = seed >>> 0 || 0x9e3779b9; // xorshift32 must not start at zero
  let remaining = size;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const bytes = Math.min(CHUNK_BYTES, remaining);
      const words = new Uint32Array(Math.ceil(bytes / 4));
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        words[i] = state;
      }
      remaining -= bytes;
      this.push(Buffer.from(words.buffer, 0, bytes));
    },
  });
}
