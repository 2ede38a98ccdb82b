/** The per-call options of the Gameye client's operations. */
import type { GameyeError } from './errors.ts';
import type { RetryPolicy } from './retry.ts';

/** Per-call options every operation accepts. */
export interface CallOptions {
  /** Abort the call; combined with the timeout. An abort is never retried. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's `timeoutMs` for this call (per attempt). */
  readonly timeoutMs?: number | undefined;
  /**
   * Replaces the client's retry policy for this call, e.g. a start with a short per-attempt
   * timeout retried on TIMEOUT. `{ maxAttempts: 1 }` turns retries off for the call.
   */
  readonly retries?: RetryPolicy | undefined;
  /**
   * Replaces the client's `retryIf` for this call. Like it, it can only narrow: a failure that
   * is not `retryable`, or a start without an id, is never retried whatever it answers.
   */
  readonly retryIf?: ((error: GameyeError) => boolean) | undefined;
}

/** Options of `GameyeClient.logs`. */
export interface LogsOptions extends CallOptions {
  /** Keep the stream open and yield new lines as the container writes them. @default false */
  readonly follow?: boolean | undefined;
  /**
   * Fail with TIMEOUT when no bytes arrive for this long while the consumer waits for more.
   * @default the call's timeoutMs without `follow`; none with `follow` (a quiet server is normal)
   */
  readonly idleTimeoutMs?: number | undefined;
}

/** Options of `GameyeClient.artifact`. */
export interface ArtifactOptions extends CallOptions {
  /**
   * Fail with TIMEOUT when no bytes arrive for this long while the consumer waits for more.
   * Time the consumer spends not reading (backpressure) does not count. @default the call's timeoutMs
   */
  readonly idleTimeoutMs?: number | undefined;
}
