/** What the client tells its `onRequest` hook about each HTTP attempt. */
import type { GameyeOperation } from './contract.ts';
import type { GameyeError } from './errors.ts';

/** One settled HTTP attempt, for metrics and tracing. Carries no headers and no token. */
export interface GameyeRequestEvent {
  readonly operation: GameyeOperation;
  readonly method: string;
  /** Request path without the query string. */
  readonly path: string;
  /** 1 for the first attempt of a call. */
  readonly attempt: number;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** Until the response headers for streams, until the body was read for everything else. */
  readonly durationMs: number;
  /** Set when the attempt failed. */
  readonly error?: GameyeError;
}

/** The hook's type; see `GameyeClientOptions.onRequest`. */
export type RequestHook = (event: GameyeRequestEvent) => void;

/** Call the hook, if any, with one attempt's event. A throwing hook is ignored. */
export function reportAttempt(
  hook: RequestHook | undefined,
  request: { readonly operation: GameyeOperation; readonly method: string; readonly path: string },
  attempt: number,
  status: number,
  started: number,
  error?: GameyeError,
): void {
  if (!hook) return;
  const event: GameyeRequestEvent = {
    operation: request.operation,
    method: request.method,
    path: request.path,
    attempt,
    status,
    durationMs: performance.now() - started,
    ...(error ? { error } : {}),
  };
  try {
    hook(event);
  } catch {
    // A metrics hook must never turn a successful Gameye call into a failed one.
  }
}
