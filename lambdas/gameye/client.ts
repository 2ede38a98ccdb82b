/**
 * Typed client of the Gameye Session API (v1.2.1) over undici. Every operation of the spec,
 * every response parsed by the zod contract, every failure a {@link GameyeError} whose
 * `retryable` was decided in one place, optional bounded retries with full jitter (per client
 * and per call), and byte streams for artifacts and logs that never hold a whole body in memory.
 *
 * This file holds the operations; the machinery is one concern per file beside it:
 * `transport.ts` (pool, one attempt, its timer and abort), `retry-loop.ts` and `retry.ts`
 * (when and how long to wait), `response-body.ts` (JSON, empty and error bodies),
 * `idle-guard.ts` and `split-lines.ts` (streams), `media-types.ts` (Accept and Content-Type),
 * `scrub-secrets.ts` (credentials out of error text), `list-query.ts`, `labels.ts`.
 *
 * An adapter in the ports-and-adapters sense: it receives its base URL and token in the
 * constructor and never reads `process.env`.
 */
import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { ArtifactOptions, CallOptions, LogsOptions } from './call-options.ts';
import type { GameyeClientOptions } from './client-options.ts';
import {
  type AvailableLocationsEntry,
  AvailableLocationsOk,
  DescribedSession,
  type JoinSessionOk,
  JoinSessionOk as JoinSessionOkSchema,
  type LeaveSessionOk,
  LeaveSessionOk as LeaveSessionOkSchema,
  type ListSessionsQuery,
  type Port,
  SessionListOk,
  SessionRunOk,
  type SessionRunRequest,
  TagOk,
} from './contract.ts';
import { GameyeError } from './errors.ts';
import { guardStream } from './idle-guard.ts';
import { decodeLabels, type Session, type SessionSummary } from './labels.ts';
import { encodeListQuery } from './list-query.ts';
import { nonEmpty, segment } from './path-segment.ts';
import type { RequestHook } from './request-event.ts';
import { openStream, readEmpty, readJson } from './response-body.ts';
import { type RetryPolicy, type Sleep, sleep, validateRetryPolicy } from './retry.ts';
import { callWithRetries } from './retry-loop.ts';
import { splitLines } from './split-lines.ts';
import { type Exchange, type RequestSpec, Transport } from './transport.ts';

/** The answer to a start: the id is always known, the caller's or the one Gameye generated. */
export interface StartedSession {
  readonly id: string;
  readonly host: string;
  readonly ports: readonly Port[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'gameye-match-bridge';

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
  readonly #transport: Transport;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #retries: RetryPolicy | undefined;
  readonly #retryIf: ((error: GameyeError) => boolean) | undefined;
  readonly #onRequest: RequestHook | undefined;
  readonly #random: () => number;
  readonly #sleep: Sleep;
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
    assertTimeout(timeoutMs);
    const prefix = url.pathname.replace(/\/+$/, '');
    this.#baseUrl = `${url.origin}${prefix}`;
    this.#timeoutMs = timeoutMs;
    this.#retries = options.retries ? validateRetryPolicy(options.retries) : undefined;
    this.#retryIf = options.retryIf;
    this.#onRequest = options.onRequest;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#transport = new Transport({
      origin: url.origin,
      prefix,
      token: options.token,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    });
  }

  /** The base URL calls go to (no credentials). */
  get baseUrl(): string {
    return this.#baseUrl;
  }

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
    const ok = await this.#call(spec, options, (e) => readJson(e, SessionRunOk));
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
    const ok = await this.#call(spec, options, (e) => readJson(e, SessionListOk));
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
    const session = await this.#call(spec, options, (e) => readJson(e, DescribedSession));
    return { ...session, ...decodeLabels(session.labels) };
  }

  /**
   * `DELETE /session/{id}` (session-stop). 409 means already stopped; after a retry it may be
   * this call's own earlier attempt that stopped it (`error.attempts > 1`).
   */
  async stopSession(sessionId: string, options?: CallOptions): Promise<void> {
    const spec: RequestSpec = {
      operation: 'session-stop',
      method: 'DELETE',
      path: `/session/${segment(sessionId, 'sessionId')}`,
      idempotent: true,
    };
    await this.#call(spec, options, readEmpty);
  }

  /** `PUT /session/player/join` (join-session): record players joining; answers the new total. */
  joinPlayers(sessionId: string, players: readonly string[], options?: CallOptions): Promise<JoinSessionOk> {
    const spec: RequestSpec = {
      operation: 'join-session',
      method: 'PUT',
      path: '/session/player/join',
      body: { session: sessionId, players },
      idempotent: true,
    };
    return this.#call(spec, options, (e) => readJson(e, JoinSessionOkSchema));
  }

  /** `DELETE /session/player/leave` (leave-session): record players leaving whichever session holds them. */
  leavePlayers(players: readonly string[], options?: CallOptions): Promise<LeaveSessionOk> {
    const spec: RequestSpec = {
      operation: 'leave-session',
      method: 'DELETE',
      path: '/session/player/leave',
      body: { players },
      idempotent: true,
    };
    return this.#call(spec, options, (e) => readJson(e, LeaveSessionOkSchema));
  }

  /** `GET /available-location/{image}` (get-available-locations). Changes often: do not cache for long. */
  async availableLocations(image: string, options?: CallOptions): Promise<AvailableLocationsEntry[]> {
    const spec: RequestSpec = {
      operation: 'get-available-locations',
      method: 'GET',
      path: `/available-location/${segment(image, 'image')}`,
      idempotent: true,
    };
    const ok = await this.#call(spec, options, (e) => readJson(e, AvailableLocationsOk));
    return ok.locations;
  }

  /** `GET /tag/{region}/{image}/{version}` (tag-exists): is this image tag in the region's fleet. */
  async tagExists(region: string, image: string, version: string, options?: CallOptions): Promise<boolean> {
    const spec: RequestSpec = {
      operation: 'tag-exists',
      method: 'GET',
      path: `/tag/${segment(region, 'region')}/${segment(image, 'image')}/${segment(version, 'version')}`,
      idempotent: true,
    };
    const ok = await this.#call(spec, options, (e) => readJson(e, TagOk));
    return ok.exists;
  }

  /**
   * `GET /artifacts` (artifacts): the file or folder at `path` of a stopped session as a
   * `.tar.gz` byte stream (Gameye labels it `application/x-tar`). Resolves once Gameye answered
   * 200; the bytes then flow as the consumer reads them (at most ~128 KiB buffered), so a
   * 100 MB artifact never sits in memory. Stream errors are GameyeErrors too (TIMEOUT on an
   * idle server, NETWORK_ERROR, ABORTED). Destroy the stream to stop early; that also releases
   * the socket.
   */
  async artifact(sessionId: string, path: string, options?: ArtifactOptions): Promise<Readable> {
    const spec: RequestSpec = {
      operation: 'artifacts',
      method: 'GET',
      path: '/artifacts',
      query: `session=${encodeURIComponent(nonEmpty(sessionId, 'sessionId'))}&path=${encodeURIComponent(nonEmpty(path, 'path'))}`,
      idempotent: true,
    };
    const exchange = await this.#call(spec, options, openStream);
    return guardStream(exchange, options?.idleTimeoutMs ?? options?.timeoutMs ?? this.#timeoutMs);
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
    const call = () => this.#call(spec, options, openStream);
    return {
      async *[Symbol.asyncIterator]() {
        let body: Readable | undefined;
        try {
          body = guardStream(await call(), idle);
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

  /**
   * Release this client's hold on the shared pool; the pool closes (gracefully, letting calls
   * in flight finish) when the last client of its origin is closed. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
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

  /** One call: the client's settings with the call's overrides, through the retry loop. */
  #call<T>(
    spec: RequestSpec,
    options: CallOptions | undefined,
    handle: (exchange: Exchange) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new GameyeError({
          operation: spec.operation,
          status: 0,
          code: 'CLIENT_CLOSED',
          message: 'the Gameye client was closed',
          path: spec.path,
        }),
      );
    }
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
    assertTimeout(timeoutMs);
    const policy = options?.retries === undefined ? this.#retries : validateRetryPolicy(options.retries);
    return callWithRetries(
      this.#transport,
      spec,
      {
        timeoutMs,
        signal: options?.signal,
        policy,
        retryIf: options?.retryIf ?? this.#retryIf,
        random: this.#random,
        sleep: this.#sleep,
        onRequest: this.#onRequest,
      },
      handle,
    );
  }
}

function assertTimeout(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2_147_483_647) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${ms}`);
  }
}
