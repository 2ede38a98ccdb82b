/**
 * The translation both Gameye ports share: run a client call, tell the observer about a
 * failure, and rethrow it as the core's `GameyeCallError`, keeping the client's retryable
 * verdict (decided once, in lambdas/gameye/errors.ts).
 */
import { GameyeCallError } from '../core/errors.ts';
import { GameyeError } from '../gameye/index.ts';

export function toCallError(err: GameyeError): GameyeCallError {
  return new GameyeCallError({
    status: err.status,
    code: err.code,
    identifier: err.identifier,
    retryable: err.retryable,
    message: err.message,
    cause: err,
  });
}

export async function callGameye<T>(
  fn: () => Promise<T>,
  onError: ((error: GameyeError) => void) | undefined,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof GameyeError)) throw err;
    onError?.(err);
    throw toCallError(err);
  }
}
