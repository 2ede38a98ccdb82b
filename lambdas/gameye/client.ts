/**
 * Typed client of the Gameye Session API (v1.2.1) over undici. Every operation of the spec,
 * every response parsed by the zod contract, every failure a {@link GameyeError} whose
 * `retryable` was decided in one place, optional bounded retries with full jitter, and byte
 * streams for artifacts and logs that never hold a whole body in memory.
 *
 * The adapter side of STYLE.md #2: it receives its base URL and token in the constructor and
 * never reads `process.env`.
 */
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  type AvailableLocationsEntry,
  AvailableLocationsOk,
  DescribedSession,
  type GameyeOperation,
  type JoinSessionOk,
  JoinSessionOk as JoinSessionOkSchema,
  type LeaveSessionOk,
  LeaveSessionOk as LeaveSessionOkSchema,
  type ListSessionsQuery,
  type Port,
  type SessionListEntry,
  SessionListOk,
  SessionRunOk,
  type SessionRunRequest,
  TagOk,
} from './contract.ts';
import { errorFromResponse, GameyeError, invalidResponse } from './errors.ts';
import {
  backoffDelay,
  parseRetryAfter,
  type RetryPolicy,
  type Sleep,
  sleep,
  validateRetryPolicy,
} from './retry.ts';
import { Pool, request } from './undici-pool.ts';

/** Per-call options every operation accepts. */
export interface CallOptions {
  /** Abort the call; combined with the timeout. An abort is never retried. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's `timeoutMs` for this call (per attempt). */
  readonly timeoutMs?: number | undefined;
}

/** Options of {@link GameyeClient.logs}. */
export interface LogsOptions extends CallOptions {
  /** Keep the stream open and yield new lines as the container writes them. @default false */
  readonly follow?: boolean | undefined;
  /**
   * Fail with TIMEOUT when no bytes arrive for this long while the consumer waits for more.
   * @default the call's timeoutMs without `follow`; none with `follow` (a quiet server is normal)
   */
  readonly idleTimeoutMs?: number | undefined;
}

/** Options of {@link GameyeClient.artifact}. */
export interface ArtifactOptions extends CallOptions {
  /**
   * Fail with TIMEOUT when no bytes arrive for this long while the consumer waits for more.
   * Time the consumer spends not reading (backpressure) does not count. @default the call's timeoutMs
   */
  readonly idleTimeoutMs?: number | undefined;
}

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

/** Constructor options of {@link GameyeClient}. */
export interface GameyeClientOptions {
  /** `https://api.production-gameye.gameye.net`, a sandbox, or a local emulator; may carry a path prefix. */
  readonly baseUrl: string;
  /** The bearer token. Kept in a private field; never printed, serialised or put into errors. */
  readonly token: string;
  /** Per attempt: the time allowed for the response (headers and, for JSON calls, body). @default 10000 */
  readonly timeoutMs?: number;
  /** Bounded retries of retryable failures. @default none: one attempt per call */
  readonly retries?: RetryPolicy;
  /**
   * Narrows which retryable failures the client retries, e.g. `(e) => e.status !== 420` for a
   * caller that answers a full region by moving on. It can only narrow: a failure that is not
   * `retryable`, or a start without an id, is never retried whatever it answers.
   */
  readonly retryIf?: (error: GameyeError) => boolean;
  /** @default `gameye-match-bridge` */
  readonly userAgent?: string;
  /** Called once per HTTP attempt when it settles; a throwing hook is ignored. */
  readonly onRequest?: (event: GameyeRequestEvent) => void;
  /** Uniform [0, 1) source for the backoff jitter; injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Waits between retries; injectable for tests. @default a timer that the caller's signal cuts short */
  readonly sleep?: Sleep;
}

/** Counters of one operation. */
export interface OperationStats {
  /** Calls made (one per method invocation). */
  calls: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  /** Calls that ended in a GameyeError. */
  failures: number;
}

/** Counters of a client since it was made (or since {@link GameyeClient.resetStats}). */
export interface GameyeClientStats extends OperationStats {
  readonly byOperation: Partial<Record<GameyeOperation, OperationStats>>;
}

/** The answer to a start: the id is always known, the caller's or the one Gameye generated. */
export interface StartedSession {
  readonly id: string;
  readonly host: string;
  readonly ports: readonly Port[];
}

/** Labels as Gameye reports them, decoded. */
export interface DecodedLabels {
  /** The caller's labels from the start request, decoded from the JSON in `labels.tags`; `{}` when missing or garbled. */
  readonly userLabels: Readonly<Record<string, string>>;
  /** What Gameye injected into the container (`GAMEYE_SESSION_ID`, `GAMEYE_HOST`), from `labels.env`. */
  readonly injectedEnv: Readonly<Record<string, string>>;
}

/** `GET /session/{id}`: the raw described session plus its decoded labels. */
export type Session = DescribedSession & DecodedLabels;
/** One entry of `GET /session`, plus its decoded labels. */
export type SessionSummary = SessionListEntry & DecodedLabels;

export type { RetryPolicy } from './retry.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'gameye-match-bridge';
/** Error bodies are short envelopes or gateway pages; never read more than this of one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Matches undici's own default: 64 KiB in flight between the socket and the consumer. */
const STREAM_HIGH_WATER_MARK = 64 * 1024;

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

/** What one HTTP exchange needs. */
interface RequestSpec {
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
interface Exchange {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: Dispatcher.ResponseData['body'];
  /** Stops the per-attempt timer; the body is then the caller's to guard. */
  readonly settle: () => void;
  /** Turns a failure while reading the body into a GameyeError of this attempt. */
  readonly fail: (cause: unknown) => GameyeError;
  readonly started: number;
  readonly spec: RequestSpec;
}

/**
 * Client of the Gameye Session API. Cheap to construct (pools are shared per origin);
 * `close()` (or `await using`) releases this client's hold on its pool.
 *
 * @example
 * ```ts
 * const gameye = new GameyeClient({ baseUrl, token, retries: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000 } });
 * const started = await gameye.startSession({ id: sessionId, location: 'eu-west-1', image: 'arena-server' });
 * ```
 */
export class GameyeClient {
  readonly #token: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #jsonHeaders: Readonly<Record<string, string>>;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #baseUrl: string;
  readonly #pool: PoolEntry;
  readonly #timeoutMs: number;
  readonly #retries: RetryPolicy | undefined;
  readonly #retryIf: ((error: GameyeError) => boolean) | undefined;
  readonly #onRequest: ((event: GameyeRequestEvent) => void) | undefined;
  readonly #random: () => number;
  readonly #sleep: Sleep;
  #stats: GameyeClientStats = emptyStats();
  #closed = false;

  constructor(options: GameyeClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`baseUrl must be http(s), got ${url.protocol}`);
    }
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      // Credentials in the URL would end up in logs; the token is the only credential.
      throw new TypeError('baseUrl must not carry credentials, a query or a fragment');
    }
    if (typeof options.token !== 'string' || options.token.trim() === '') {
      throw new TypeError('token must be a non-empty string');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    assertTimeout(timeoutMs, 'timeoutMs');
    this.#token = options.token;
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#baseUrl = `${url.origin}${this.#prefix}`;
    this.#timeoutMs = timeoutMs;
    this.#retries = options.retries ? validateRetryPolicy(options.retries) : undefined;
    this.#retryIf = options.retryIf;
    this.#onRequest = options.onRequest;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#headers = Object.freeze({
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    });
    this.#jsonHeaders = Object.freeze({ ...this.#headers, 'content-type': 'application/json' });
    this.#pool = acquirePool(this.#origin);
  }

  /** The base URL calls go to (no credentials). */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  // ── Operations ────────────────────────────────────────────────────────────────────────

  /**
   * `POST /session` (session-run). Retried (when retries are configured) only if `request.id`
   * is set: the id makes the start idempotent. A retried start that answers 409 is reported as
   * 409 (`error.attempts > 1` tells that an earlier attempt of this very call may have won);
   * the caller decides whether to adopt the session.
   */
  async startSession(request: SessionRunRequest, options?: CallOptions): Promise<StartedSession> {
    const spec: RequestSpec = {
      operation: 'session-run',
      method: 'POST',
      path: '/session',
      body: request,
      idempotent: request.id !== undefined && request.id !== '',
    };
    const ok = await this.#json(spec, SessionRunOk, options);
    const id = ok.id ?? request.id;
    if (id === undefined || id === '') {
      throw new GameyeError({
        operation: spec.operation,
        status: 201,
        code: 'INVALID_RESPONSE',
        message: 'Gameye started a session without reporting its id, and the request named none',
        violations: [{ field: 'id', description: 'missing' }],
        path: spec.path,
      });
    }
    return { id, host: ok.host, ports: ok.ports };
  }

  /**
   * `GET /session` (session-list). `filter` and `filterNot` are sent as deepObject
   * (`filter[key]=value`), as is `playerCount` (`playerCount[lt]=4`).
   */
  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<SessionSummary[]> {
    const spec: RequestSpec = {
      operation: 'session-list',
      method: 'GET',
      path: '/session',
      query: encodeListQuery(query),
      idempotent: true,
    };
    const ok = await this.#json(spec, SessionListOk, options);
    return ok.sessions.map((entry) => ({ ...entry, ...decodeLabels(entry.labels) }));
  }

  /** `GET /session/{id}` (describe-session). A 404 means Gameye does not know the id. */
  async describeSession(sessionId: string, options?: CallOptions): Promise<Session> {
    const spec: RequestSpec = {
      operation: 'describe-session',
      method: 'GET',
      path: `/session/${segment(sessionId, 'sessionId')}`,
      idempotent: true,
    };
    const session = await this.#json(spec, DescribedSession, options);
    return { ...session, ...decodeLabels(session.labels) };
  }

  /**
   * `DELETE /session/{id}` (session-stop). 409 means already stopped; after a retry it may be
   * this call's own earlier attempt that stopped it (`error.attempts > 1`).
   */
  async stopSession(sessionId: string, options?: CallOptions): Promise<void> {
    await this.#empty(
      {
        operation: 'session-stop',
        method: 'DELETE',
        path: `/session/${segment(sessionId, 'sessionId')}`,
        idempotent: true,
      },
      options,
    );
  }

  /** `PUT /session/player/join` (join-session): record players joining; answers the new total. */
  async joinPlayers(
    sessionId: string,
    players: readonly string[],
    options?: CallOptions,
  ): Promise<JoinSessionOk> {
    return this.#json(
      {
        operation: 'join-session',
        method: 'PUT',
        path: '/session/player/join',
        body: { session: sessionId, players },
        idempotent: true,
      },
      JoinSessionOkSchema,
      options,
    );
  }

  /** `DELETE /session/player/leave` (leave-session): record players leaving whichever session holds them. */
  async leavePlayers(players: readonly string[], options?: CallOptions): Promise<LeaveSessionOk> {
    return this.#json(
      {
        operation: 'leave-session',
        method: 'DELETE',
        path: '/session/player/leave',
        body: { players },
        idempotent: true,
      },
      LeaveSessionOkSchema,
      options,
    );
  }

  /** `GET /available-location/{image}` (get-available-locations). Changes often: do not cache for long. */
  async availableLocations(image: string, options?: CallOptions): Promise<AvailableLocationsEntry[]> {
    const ok = await this.#json(
      {
        operation: 'get-available-locations',
        method: 'GET',
        path: `/available-location/${segment(image, 'image')}`,
        idempotent: true,
      },
      AvailableLocationsOk,
      options,
    );
    return ok.locations;
  }

  /** `GET /tag/{region}/{image}/{version}` (tag-exists): is this image tag in the region's fleet. */
  async tagExists(region: string, image: string, version: string, options?: CallOptions): Promise<boolean> {
    const ok = await this.#json(
      {
        operation: 'tag-exists',
        method: 'GET',
        path: `/tag/${segment(region, 'region')}/${segment(image, 'image')}/${segment(version, 'version')}`,
        idempotent: true,
      },
      TagOk,
      options,
    );
    return ok.exists;
  }

  /**
   * `GET /artifacts` (artifacts): the file or folder at `path` of a stopped session as a
   * `.tar.gz` byte stream. Resolves once Gameye answered 200; the bytes then flow as the
   * consumer reads them (at most ~128 KiB buffered), so a 100 MB artifact never sits in memory.
   * Stream errors are GameyeErrors too (TIMEOUT on an idle server, NETWORK_ERROR, ABORTED).
   * Destroy the stream to stop early; that also releases the socket.
   */
  async artifact(sessionId: string, path: string, options?: ArtifactOptions): Promise<Readable> {
    const spec: RequestSpec = {
      operation: 'artifacts',
      method: 'GET',
      path: '/artifacts',
      query: `session=${encodeURIComponent(nonEmpty(sessionId, 'sessionId'))}&path=${encodeURIComponent(nonEmpty(path, 'path'))}`,
      idempotent: true,
    };
    const exchange = await this.#call(spec, options, (e) => this.#openStream(e));
    return this.#guardStream(exchange, options?.idleTimeoutMs ?? options?.timeoutMs ?? this.#timeoutMs);
  }

  /**
   * `GET /logs` (stream-logs): the container's output, line by line (without the newline).
   * Lazy: the request goes out when iteration starts. With `follow`, lines keep coming until
   * the server ends the stream, the consumer stops iterating (`break`), or `signal` aborts;
   * an abort (a deadline's too) ends the iteration quietly, since that is how a follow is
   * meant to end. Other failures (404, TIMEOUT of an idle non-follow stream) are thrown.
   */
  logs(sessionId: string, options: LogsOptions = {}): AsyncIterable<string> {
    const spec: RequestSpec = {
      operation: 'stream-logs',
      method: 'GET',
      path: '/logs',
      query: `id=${encodeURIComponent(nonEmpty(sessionId, 'sessionId'))}${options.follow ? '&follow=true' : ''}`,
      idempotent: true,
    };
    const idle =
      options.idleTimeoutMs ?? (options.follow ? undefined : (options.timeoutMs ?? this.#timeoutMs));
    const client = this;
    return {
      async *[Symbol.asyncIterator]() {
        let body: Readable | undefined;
        try {
          const exchange = await client.#call(spec, options, (e) => client.#openStream(e));
          body = client.#guardStream(exchange, idle);
          yield* splitLines(body);
        } catch (error) {
          // Stopping a follow is the caller's abort (or its deadline): the end, not a failure.
          if (error instanceof GameyeError && error.status === 0 && options.signal?.aborted) return;
          throw error;
        } finally {
          body?.destroy();
        }
      },
    };
  }

  // ── Lifecycle, stats, secrecy ─────────────────────────────────────────────────────────

  /** Counters per operation since construction; the placement layer reports them per match. */
  stats(): GameyeClientStats {
    const byOperation: Partial<Record<GameyeOperation, OperationStats>> = {};
    for (const [op, s] of Object.entries(this.#stats.byOperation) as [GameyeOperation, OperationStats][]) {
      byOperation[op] = { ...s };
    }
    const { calls, attempts, failures } = this.#stats;
    return { calls, attempts, failures, byOperation };
  }

  /** Zero the counters. */
  resetStats(): void {
    this.#stats = emptyStats();
  }

  /**
   * Release this client's hold on the shared pool; the pool closes (gracefully, letting calls
   * in flight finish) when the last client of its origin is closed. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await releasePool(this.#origin, this.#pool);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** What logs see: no token. */
  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.#baseUrl,
      timeoutMs: this.#timeoutMs,
      retries: this.#retries ?? null,
      token: '[redacted]',
      closed: this.#closed,
    };
  }

  toString(): string {
    return `GameyeClient(${this.#baseUrl})`;
  }

  [inspect.custom](): string {
    return `GameyeClient ${inspect(this.toJSON())}`;
  }

  // ── Machinery ─────────────────────────────────────────────────────────────────────────

  /** A JSON call: read the body within the attempt's timeout, parse, validate. */
  async #json<T>(spec: RequestSpec, schema: z.ZodType<T>, options: CallOptions | undefined): Promise<T> {
    return this.#call(spec, options, async (exchange) => {
      const text = await this.#readBody(exchange);
      if (exchange.status < 200 || exchange.status > 299) {
        throw errorFromResponse(spec.operation, spec.path, exchange.status, contentType(exchange), text);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw invalidResponse(spec.operation, spec.path, exchange.status, error as SyntaxError);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw invalidResponse(spec.operation, spec.path, exchange.status, parsed.error);
      return parsed.data;
    });
  }

  /** A call whose success has no body (204). */
  async #empty(spec: RequestSpec, options: CallOptions | undefined): Promise<void> {
    await this.#call(spec, options, async (exchange) => {
      const text = await this.#readBody(exchange);
      if (exchange.status < 200 || exchange.status > 299) {
        throw errorFromResponse(spec.operation, spec.path, exchange.status, contentType(exchange), text);
      }
    });
  }

  /** A streaming call: errors read (bounded) and thrown; on 2xx the body is handed on unread. */
  async #openStream(exchange: Exchange): Promise<Exchange> {
    if (exchange.status >= 200 && exchange.status <= 299) return exchange;
    const text = await this.#readBody(exchange, MAX_ERROR_BODY_BYTES);
    throw errorFromResponse(
      exchange.spec.operation,
      exchange.spec.path,
      exchange.status,
      contentType(exchange),
      text,
    );
  }

  async #readBody(exchange: Exchange, limit?: number): Promise<string> {
    try {
      if (limit === undefined) return await exchange.body.text();
      let text = '';
      let bytes = 0;
      const decoder = new TextDecoder();
      for await (const chunk of exchange.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        text += decoder.decode(chunk, { stream: true });
        if (bytes >= limit) {
          exchange.body.destroy();
          break;
        }
      }
      return text + decoder.decode();
    } catch (error) {
      throw exchange.fail(error);
    }
  }

  /**
   * The retry loop: one attempt, then, while the failure is retryable, the spec idempotent,
   * attempts remain and the caller has not aborted, a full-jitter wait and another attempt.
   */
  async #call<T>(
    spec: RequestSpec,
    options: CallOptions | undefined,
    handle: (exchange: Exchange) => Promise<T>,
  ): Promise<T> {
    const counters = this.#count(spec.operation);
    if (this.#closed) {
      counters.failures += 1;
      this.#stats.failures += 1;
      throw new GameyeError({
        operation: spec.operation,
        status: 0,
        code: 'CLIENT_CLOSED',
        message: 'the Gameye client was closed',
        path: spec.path,
      });
    }
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
    assertTimeout(timeoutMs, 'timeoutMs');
    const signal = options?.signal;
    const maxAttempts = spec.idempotent && this.#retries ? this.#retries.maxAttempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      counters.attempts += 1;
      this.#stats.attempts += 1;
      let error: GameyeError;
      let retryAfter: number | undefined;
      try {
        const exchange = await this.#attempt(spec, attempt, timeoutMs, signal);
        try {
          const result = await handle(exchange);
          this.#report(spec, attempt, exchange.status, exchange.started);
          return result;
        } catch (failure) {
          const e = failure instanceof GameyeError ? failure : exchange.fail(failure);
          this.#report(spec, attempt, exchange.status, exchange.started, e);
          retryAfter = parseRetryAfter(exchange.headers['retry-after']);
          throw e;
        } finally {
          exchange.settle();
        }
      } catch (failure) {
        error = failure as GameyeError;
      }
      error.attempts = attempt;
      if (!error.retryable || attempt >= maxAttempts || signal?.aborted || this.#retryIf?.(error) === false) {
        counters.failures += 1;
        this.#stats.failures += 1;
        throw error;
      }
      const policy = this.#retries as RetryPolicy;
      try {
        await this.#sleep(backoffDelay(policy, attempt - 1, this.#random, retryAfter), signal);
      } catch (reason) {
        counters.failures += 1;
        this.#stats.failures += 1;
        const aborted = callerAbort(spec, signal, reason, `while waiting to retry after: ${error.message}`);
        aborted.attempts = attempt;
        throw aborted;
      }
    }
  }

  /** One HTTP attempt, up to its response headers, under the attempt's timer and the caller's signal. */
  async #attempt(
    spec: RequestSpec,
    attempt: number,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const started = performance.now();
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
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#pool.pool, {
        path: spec.query ? `${this.#prefix}${spec.path}?${spec.query}` : `${this.#prefix}${spec.path}`,
        method: spec.method,
        headers: spec.body === undefined ? this.#headers : this.#jsonHeaders,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal,
        idempotent: spec.idempotent,
        // Our own timer governs headers; undici's body timer is off so a quiet `follow` log
        // stream is not cut, and our idle guard (which ignores backpressure) takes its place.
        bodyTimeout: 0,
        highWaterMark: STREAM_HIGH_WATER_MARK,
      });
    } catch (cause) {
      settle();
      const error = fail(cause);
      this.#report(spec, attempt, 0, started, error);
      throw error;
    }
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      settle,
      fail,
      started,
      spec,
    };
  }

  /** Hand a 2xx body to the consumer behind an idle guard that maps every failure to a GameyeError. */
  #guardStream(exchange: Exchange, idleTimeoutMs: number | undefined): Readable {
    const spec = exchange.spec;
    return guardBody(exchange.body, idleTimeoutMs, (cause, idle) =>
      idle
        ? new GameyeError({
            operation: spec.operation,
            status: 0,
            code: 'TIMEOUT',
            message: `Gameye sent no ${spec.operation} bytes for ${idleTimeoutMs} ms`,
            path: spec.path,
          })
        : exchange.fail(cause),
    );
  }

  #count(operation: GameyeOperation): OperationStats {
    this.#stats.calls += 1;
    let counters = this.#stats.byOperation[operation];
    if (!counters) {
      counters = { calls: 0, attempts: 0, failures: 0 };
      this.#stats.byOperation[operation] = counters;
    }
    counters.calls += 1;
    return counters;
  }

  #report(spec: RequestSpec, attempt: number, status: number, started: number, error?: GameyeError): void {
    if (!this.#onRequest) return;
    const event: GameyeRequestEvent = {
      operation: spec.operation,
      method: spec.method,
      path: spec.path,
      attempt,
      status,
      durationMs: performance.now() - started,
      ...(error ? { error } : {}),
    };
    try {
      this.#onRequest(event);
    } catch {
      // A metrics hook must never turn a successful Gameye call into a failed one.
    }
  }
}

function emptyStats(): GameyeClientStats {
  return { calls: 0, attempts: 0, failures: 0, byOperation: {} };
}

function assertTimeout(ms: number, name: string): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2_147_483_647) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${ms}`);
  }
}

function nonEmpty(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/** A path segment, encoded so an id like `a/b` or `..` cannot change the route. */
function segment(value: string, name: string): string {
  return encodeURIComponent(nonEmpty(value, name)).replace(/^\.{1,2}$/, (dots) =>
    dots.replaceAll('.', '%2E'),
  );
}

function contentType(exchange: Exchange): string | undefined {
  const value = exchange.headers['content-type'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A caller's abort. When the reason is a `TimeoutError` (the caller's `AbortSignal.timeout`
 * deadline) the call failed for lack of time, which is transient: TIMEOUT, retryable by the
 * layer above (not here: the caller's budget is spent). Any other abort is ABORTED, permanent.
 */
function callerAbort(
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

/**
 * `GET /session`'s query. Keys are fixed and values are encoded; deepObject brackets stay
 * literal (`filter[status]=running`), as the OpenAPI deepObject style shows them.
 */
export function encodeListQuery(query: ListSessionsQuery): string {
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean): void => {
    parts.push(`${key}=${encodeURIComponent(String(value))}`);
  };
  if (query.all !== undefined) add('all', query.all);
  if (query.location !== undefined) add('location', query.location);
  if (query.image !== undefined) add('image', query.image);
  if (query.tag !== undefined) add('tag', query.tag);
  if (query.host !== undefined) add('host', query.host);
  if (query.playerCount?.lt !== undefined) add('playerCount[lt]', query.playerCount.lt);
  if (query.playerCount?.gt !== undefined) add('playerCount[gt]', query.playerCount.gt);
  for (const [key, value] of Object.entries(query.filter ?? {}))
    add(`filter[${encodeURIComponent(key)}]`, value);
  for (const [key, value] of Object.entries(query.filterNot ?? {}))
    add(`filterNot[${encodeURIComponent(key)}]`, value);
  return parts.join('&');
}

/**
 * Decode Gameye's reported labels: `tags` holds the caller's labels as JSON, `env` the
 * injected variables. Missing or garbled JSON yields `{}`: labels are informative, and a bad
 * one must not make a live session unreadable. Non-string values are dropped.
 */
export function decodeLabels(labels: Readonly<Record<string, string>> | undefined): DecodedLabels {
  return { userLabels: decodeJsonRecord(labels?.tags), injectedEnv: decodeJsonRecord(labels?.env) };
}

function decodeJsonRecord(json: string | undefined): Record<string, string> {
  if (json === undefined || json === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * Wrap a response body so that (a) every failure surfaces as a GameyeError, and (b) a server
 * that stops sending while the consumer is waiting fails with TIMEOUT after `idleMs`. The
 * idle timer runs only while the consumer has asked for data and none has come: time spent
 * with the consumer not reading (an S3 upload applying backpressure) is not the server's.
 */
function guardBody(
  source: Readable,
  idleMs: number | undefined,
  mapError: (cause: unknown, idle: boolean) => Error,
): Readable {
  let timer: NodeJS.Timeout | undefined;
  const disarm = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const arm = (): void => {
    if (idleMs === undefined) return;
    if (timer) timer.refresh();
    else {
      timer = setTimeout(() => {
        timer = undefined;
        out.destroy(mapError(undefined, true));
      }, idleMs);
    }
  };
  const out = new Readable({
    highWaterMark: STREAM_HIGH_WATER_MARK,
    read() {
      arm();
      source.resume();
    },
    destroy(error, callback) {
      disarm();
      source.off('error', onError);
      // Swallow the undici error our own destroy may trigger; the consumer already has its error.
      source.on('error', () => {});
      if (!source.destroyed) source.destroy();
      callback(error);
    },
  });
  const onError = (cause: unknown): void => {
    disarm();
    out.destroy(mapError(cause, false));
  };
  source.on('data', (chunk: Buffer) => {
    if (out.push(chunk)) arm();
    else {
      disarm();
      source.pause();
    }
  });
  source.once('end', () => {
    disarm();
    out.push(null);
  });
  source.on('error', onError);
  source.pause();
  return out;
}

/** Bytes to lines: UTF-8 decoded across chunk boundaries, `\n` or `\r\n` separated. */
async function* splitLines(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
