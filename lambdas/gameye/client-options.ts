/** Constructor options of the Gameye client. */
import type { GameyeError } from './errors.ts';
import type { RequestHook } from './request-event.ts';
import type { RetryPolicy, Sleep } from './retry.ts';

/** Constructor options of `GameyeClient`. */
export interface GameyeClientOptions {
  /** `https://api.production-gameye.gameye.net`, a sandbox, or a local emulator; may carry a path prefix. */
  readonly baseUrl: string;
  /** The bearer token. Kept in a private field; never printed, serialised or put into errors. */
  readonly token: string;
  /** Per attempt: the time allowed for the response (headers and, for JSON calls, body). @default 10000 */
  readonly timeoutMs?: number;
  /** Bounded retries of retryable failures; a call may replace it. @default none: one attempt per call */
  readonly retries?: RetryPolicy;
  /**
   * Narrows which retryable failures the client retries, e.g. `(e) => e.status !== 420` for a
   * caller that answers a full region by moving on; a call may replace it. It can only narrow:
   * a failure that is not `retryable`, or a start without an id, is never retried.
   */
  readonly retryIf?: (error: GameyeError) => boolean;
  /** @default `gameye-match-bridge` */
  readonly userAgent?: string;
  /** Called once per HTTP attempt when it settles; a throwing hook is ignored. */
  readonly onRequest?: RequestHook;
  /** Uniform [0, 1) source for the backoff jitter; injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Waits between retries; injectable for tests. @default a timer that the caller's signal cuts short */
  readonly sleep?: Sleep;
}
