/**
 * Backoff arithmetic for the Gameye client's bounded retries. Kept apart from the client so
 * the jitter formula and the Retry-After handling can be tested without a network.
 */

/** Bounded retries with full-jitter exponential backoff. */
export interface RetryPolicy {
  /** Total HTTP attempts per call, the first included; 1 disables retries. */
  readonly maxAttempts: number;
  /** Backoff cap before the first retry; doubles per retry. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this, not even when the server asks for more. */
  readonly maxDelayMs: number;
}

/** Injectable waiting, so tests can run retries without real time passing. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniformly random
 * wait in `[0, min(maxDelayMs, baseDelayMs * 2^retry))`. `retry` counts from 0 for the first
 * retry. Random rather than fixed, so a fleet of Lambdas that failed together does not come
 * back together. A server's `Retry-After` raises the wait to at least what it asked for,
 * still capped at `maxDelayMs` so a caller's budget is never handed to the server.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxDelayMs);
  return Math.max(jittered, floor);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A timer-based wait that ends early, rejecting with the signal's reason, when the signal aborts. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Reject a policy that would retry forever or not at all by accident. */
export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const { maxAttempts, baseDelayMs, maxDelayMs } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    throw new RangeError(`retries.maxAttempts must be an integer in 1..20, got ${maxAttempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs) || !Number.isFinite(maxDelayMs)) {
    throw new RangeError(
      `retries needs 0 <= baseDelayMs <= maxDelayMs < Infinity, got ${baseDelayMs} and ${maxDelayMs}`,
    );
  }
  return Object.freeze({ maxAttempts, baseDelayMs, maxDelayMs });
}
