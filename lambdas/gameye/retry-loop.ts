/**
 * The retry loop around {@link Transport.attempt}, in the manner of undici's retry handler:
 * one attempt, then, while the failure is retryable, the request idempotent, attempts remain,
 * the call's `retryIf` agrees and the caller has not aborted, a full-jitter wait
 * (`retry.ts`) and another attempt. Every attempt is reported to the `onRequest` hook.
 */
import type { GameyeError } from './errors.ts';
import { type RequestHook, reportAttempt } from './request-event.ts';
import { backoffDelay, parseRetryAfter, type RetryPolicy, type Sleep } from './retry.ts';
import { callerAbort, type Exchange, type RequestSpec, type Transport } from './transport.ts';

/** How one call is retried: the client's settings with the call's overrides applied. */
export interface RetrySettings {
  /** Per attempt. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** undefined: one attempt. */
  readonly policy: RetryPolicy | undefined;
  /** Narrows which retryable failures are retried. */
  readonly retryIf: ((error: GameyeError) => boolean) | undefined;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly onRequest: RequestHook | undefined;
}

/**
 * Run `handle` on the exchange of each attempt until one succeeds or the loop gives up; the
 * error thrown carries the number of attempts made.
 */
export async function callWithRetries<T>(
  transport: Transport,
  spec: RequestSpec,
  settings: RetrySettings,
  handle: (exchange: Exchange) => Promise<T>,
): Promise<T> {
  const { policy, signal } = settings;
  const maxAttempts = spec.idempotent && policy ? policy.maxAttempts : 1;
  for (let attempt = 1; ; attempt += 1) {
    const started = performance.now();
    let error: GameyeError;
    let retryAfter: number | undefined;
    let exchange: Exchange | undefined;
    try {
      exchange = await transport.attempt(spec, settings.timeoutMs, signal);
      const result = await handle(exchange);
      reportAttempt(settings.onRequest, spec, attempt, exchange.status, started);
      return result;
    } catch (failure) {
      error = exchange ? exchange.fail(failure) : (failure as GameyeError);
      reportAttempt(settings.onRequest, spec, attempt, exchange?.status ?? 0, started, error);
      if (exchange) retryAfter = parseRetryAfter(exchange.headers['retry-after']);
    } finally {
      exchange?.settle();
    }
    error.attempts = attempt;
    if (
      !error.retryable ||
      attempt >= maxAttempts ||
      signal?.aborted ||
      settings.retryIf?.(error) === false
    ) {
      throw error;
    }
    try {
      await settings.sleep(
        backoffDelay(policy as RetryPolicy, attempt - 1, settings.random, retryAfter),
        signal,
      );
    } catch (reason) {
      const aborted = callerAbort(spec, signal, reason, `while waiting to retry after: ${error.message}`);
      aborted.attempts = attempt;
      throw aborted;
    }
  }
}
