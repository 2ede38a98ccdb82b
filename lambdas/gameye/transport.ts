/**
 * One HTTP attempt to Gameye over a keep-alive undici pool: the request line and headers of
 * the operation, the per-attempt timer, the caller's signal, and the mapping of whatever goes
 * wrong before the response headers into a {@link GameyeError}. Retrying is not its business
 * (`retry-loop.ts`), nor is reading the body (`response-body.ts`).
 */
import type { Dispatcher } from 'undici';
import type { GameyeOperation } from './contract.ts';
import { GameyeError } from './errors.ts';
import { acceptHeader, OPERATION_MEDIA_TYPES } from './media-types.ts';
import { type Scrub, scrubberFor } from './scrub-secrets.ts';
import { Pool, request } from './undici-pool.ts';

/** Matches undici's own default: 64 KiB in flight between the socket and the consumer. */
export const STREAM_HIGH_WATER_MARK = 64 * 1024;

/** What one HTTP exchange needs. */
export interface RequestSpec {
  readonly operation: GameyeOperation;
  readonly method: Dispatcher.HttpMethod;
  /** Path relative to the base URL, already encoded, without query. */
  readonly path: string;
  readonly query?: string;
  readonly body?: unknown;
  /** Safe to send twice: decides whether retries are allowed at all. */
  readonly idempotent: boolean;
}

/** A response whose headers arrived, its body not yet read. */
export interface Exchange {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: Dispatcher.ResponseData['body'];
  /** Stops the per-attempt timer; the body is then the caller's to guard. */
  readonly settle: () => void;
  /** Turns a failure while reading the body into a GameyeError of this attempt. */
  readonly fail: (cause: unknown) => GameyeError;
  /** Removes credentials from text taken out of this response. */
  readonly scrub: Scrub;
  readonly spec: RequestSpec;
}

interface PoolEntry {
  readonly pool: Pool;
  refs: number;
}

/**
 * One keep-alive pool per origin for the whole process: a Lambda builds a client per
 * invocation (or per match) for free, and every one of them reuses the warm sockets.
 */
const pools = new Map<string, PoolEntry>();

function acquirePool(origin: string): PoolEntry {
  let entry = pools.get(origin);
  if (!entry || entry.pool.closed || entry.pool.destroyed) {
    // Pipelining stays off (1): one slow Gameye answer must not hold up the calls queued behind it.
    entry = { pool: new Pool(origin, { pipelining: 1, keepAliveTimeout: 4_000 }), refs: 0 };
    pools.set(origin, entry);
  }
  entry.refs += 1;
  return entry;
}

async function releasePool(origin: string, entry: PoolEntry): Promise<void> {
  entry.refs -= 1;
  if (entry.refs > 0) return;
  if (pools.get(origin) === entry) pools.delete(origin);
  await entry.pool.close();
}

/** Request headers of one operation, with and without a body. */
interface OperationHeaders {
  readonly plain: Readonly<Record<string, string>>;
  readonly withBody: Readonly<Record<string, string>>;
}

/** Constructor input of {@link Transport}. */
export interface TransportOptions {
  /** `https://host:port`, no path. */
  readonly origin: string;
  /** Path prefix of the base URL without a trailing slash, '' for none. */
  readonly prefix: string;
  readonly token: string;
  readonly userAgent: string;
}

/** Sends attempts to one Gameye origin; holds a reference on the origin's shared pool until closed. */
export class Transport {
  readonly #origin: string;
  readonly #prefix: string;
  readonly #pool: PoolEntry;
  /** Built once per client: the hot path reuses frozen header objects. */
  readonly #headers: Readonly<Record<GameyeOperation, OperationHeaders>>;
  readonly #scrub: Scrub;

  constructor(options: TransportOptions) {
    this.#origin = options.origin;
    this.#prefix = options.prefix;
    this.#scrub = scrubberFor([options.token]);
    const headers = {} as Record<GameyeOperation, OperationHeaders>;
    for (const operation of Object.keys(OPERATION_MEDIA_TYPES) as GameyeOperation[]) {
      const plain = Object.freeze({
        authorization: `Bearer ${options.token}`,
        accept: acceptHeader(operation),
        'user-agent': options.userAgent,
      });
      const type = OPERATION_MEDIA_TYPES[operation].request;
      const withBody = type === undefined ? plain : Object.freeze({ ...plain, 'content-type': type });
      headers[operation] = { plain, withBody };
    }
    this.#headers = headers;
    this.#pool = acquirePool(this.#origin);
  }

  /** One HTTP attempt, up to its response headers, under the attempt's timer and the caller's signal. */
  async attempt(
    spec: RequestSpec,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const timer = new AbortController();
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      timer.abort();
    }, timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
    const settle = (): void => clearTimeout(timeout);
    const fail = (cause: unknown): GameyeError => {
      if (cause instanceof GameyeError) return cause;
      if (callerSignal?.aborted && !timedOut) return callerAbort(spec, callerSignal, cause);
      if (timedOut) {
        return new GameyeError({
          operation: spec.operation,
          status: 0,
          code: 'TIMEOUT',
          message: `Gameye did not answer ${spec.operation} within ${timeoutMs} ms`,
          path: spec.path,
        });
      }
      return networkError(spec, cause);
    };
    const headers = this.#headers[spec.operation];
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#pool.pool, {
        path: spec.query ? `${this.#prefix}${spec.path}?${spec.query}` : `${this.#prefix}${spec.path}`,
        method: spec.method,
        headers: spec.body === undefined ? headers.plain : headers.withBody,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal,
        idempotent: spec.idempotent,
        // Our own timer governs headers; undici's body timer is off so a quiet `follow` log
        // stream is not cut, and the idle guard (which ignores backpressure) takes its place.
        bodyTimeout: 0,
        highWaterMark: STREAM_HIGH_WATER_MARK,
      });
    } catch (cause) {
      settle();
      throw fail(cause);
    }
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      settle,
      fail,
      scrub: this.#scrub,
      spec,
    };
  }

  /** Release this transport's hold on the shared pool; the last one out closes it gracefully. */
  close(): Promise<void> {
    return releasePool(this.#origin, this.#pool);
  }
}

/**
 * A caller's abort. When the reason is a `TimeoutError` (the caller's `AbortSignal.timeout`
 * deadline) the call failed for lack of time, which is transient: TIMEOUT, retryable by the
 * layer above (not here: the caller's budget is spent). Any other abort is ABORTED, permanent.
 */
export function callerAbort(
  spec: RequestSpec,
  signal: AbortSignal | undefined,
  cause: unknown,
  context = '',
): GameyeError {
  const reason: unknown = signal?.reason ?? cause;
  const deadline = reason instanceof Error && reason.name === 'TimeoutError';
  const suffix = context === '' ? '' : ` ${context}`;
  return new GameyeError({
    operation: spec.operation,
    status: 0,
    code: deadline ? 'TIMEOUT' : 'ABORTED',
    message: deadline
      ? `the caller's deadline passed before ${spec.operation} completed${suffix}`
      : `the caller aborted ${spec.operation}${suffix}`,
    path: spec.path,
    cause: reason,
  });
}

/** undici's timeout codes, which mean the same as our own timer firing. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

function networkError(spec: RequestSpec, cause: unknown): GameyeError {
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  const label = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  const timeout = typeof code === 'string' && TIMEOUT_CODES.has(code);
  return new GameyeError({
    operation: spec.operation,
    status: 0,
    code: timeout ? 'TIMEOUT' : 'NETWORK_ERROR',
    message: `${spec.operation} failed before Gameye answered: ${label}`,
    path: spec.path,
    cause,
  });
}
