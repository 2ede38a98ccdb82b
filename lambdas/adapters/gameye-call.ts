/**
 * The translation both Gameye ports share, and the one place the bridge reads Gameye's HTTP
 * statuses: run a client call, let the port absorb the answers it treats as data (a session
 * Gameye does not know, a stop of a stopped session), tell the observer about any other
 * failure, and rethrow it as the core's `GameyeCallError` saying what it means.
 */
import { GameyeCallError, type GameyeFailure } from '../core/errors.ts';
import { GameyeError } from '../gameye/index.ts';

/**
 * Whether Gameye itself said it: the answer came with Gameye's error envelope. A 404 or 409
 * without one (code GATEWAY_ERROR) came from a proxy, a load balancer or a misrouted request,
 * and says nothing about the session. Read as "gone", it would end the record of a session
 * that still runs, or record an artifact that is there as missing. It is therefore an outage,
 * asked again later.
 */
function saidByGameye(error: GameyeError): boolean {
  return error.code !== 'GATEWAY_ERROR';
}

/** What Gameye's answer means to the bridge. Transient failures keep the client's verdict. */
export function failureOf(error: GameyeError): GameyeFailure {
  switch (error.status) {
    case 401:
    case 403:
      return 'unauthorized';
    case 402:
      return 'quota-exhausted';
    case 404:
      return saidByGameye(error) ? 'unknown-image-or-location' : 'unavailable';
    case 409:
      return saidByGameye(error) ? 'session-exists' : 'unavailable';
    case 420:
      return 'region-full';
    default:
      return error.retryable ? 'unavailable' : 'rejected';
  }
}

export function toCallError(error: GameyeError): GameyeCallError {
  return new GameyeCallError({
    kind: failureOf(error),
    code: error.code,
    identifier: error.identifier,
    message: error.message,
    cause: error,
  });
}

/** An answer the port takes as data rather than a failure, e.g. "not found" as `undefined`. */
export type Absorb<T> = (error: GameyeError) => { readonly value: T } | undefined;

export async function callGameye<T>(
  fn: () => Promise<T>,
  onError: ((error: GameyeError) => void) | undefined,
  absorb?: Absorb<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof GameyeError)) throw err;
    const absorbed = absorb?.(err);
    if (absorbed) return absorbed.value;
    onError?.(err);
    throw toCallError(err);
  }
}

/** Gameye does not know the session (or what was asked of it): `undefined`. */
export const notFoundAsUndefined: Absorb<undefined> = (error) =>
  error.status === 404 && saidByGameye(error) ? { value: undefined } : undefined;

/** Stopping a session that is gone (unknown) or stopped already: nothing left to stop. */
export const goneAsAlreadyGone: Absorb<'already-gone'> = (error) =>
  (error.status === 404 || error.status === 409) && saidByGameye(error)
    ? { value: 'already-gone' }
    : undefined;
