/**
 * The ports the placement core needs. The core owns these types; adapters (DynamoDB, SNS, the
 * Gameye HTTP client) implement them and translate their vendor's errors into core errors.
 */
import type { SessionEvent } from './events.ts';
import type { ServerPort, SessionRecord, SessionState } from './session-record.ts';

/**
 * Session records, one per match. Reads must be strongly consistent: the core decides from
 * what it reads whether a delivery is a duplicate.
 */
export interface SessionStore {
  /** The record for this match, validated with `SessionRecord`, or undefined. */
  get(matchId: string): Promise<SessionRecord | undefined>;
  /**
   * Create `record` only if no item with its `matchId` exists
   * (`attribute_not_exists(matchId)`); otherwise throw `AlreadyClaimedError`. The record is a
   * match's first: PLACING with its first attempt pending, or FAILED when nothing may host it.
   */
  claim(record: SessionRecord): Promise<void>;
  /**
   * Replace the record with `next` only if the stored item is in `expected.state` at
   * `expected.version` (`#state = :s AND #version = :v`); otherwise throw `StateConflictError`.
   * `next` comes from the transition functions in `session-record.ts`: write it whole,
   * removing attributes it lacks (`activeShard` leaves the sparse index that way).
   */
  transition(
    next: SessionRecord,
    expected: { readonly state: SessionState; readonly version: number },
  ): Promise<void>;
}

/** `POST /session`, in core terms. The adapter maps it to the wire request. */
export interface StartSessionRequest {
  /** Our deterministic session id: Gameye's idempotency key. */
  readonly id: string;
  readonly location: string;
  readonly image: string;
  /** Image tag; absent means Gameye's default for the image. */
  readonly version?: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly args?: readonly string[] | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Gameye duration grammar: `1m`, `1h`, `2h30m`. */
  readonly ttl?: string | undefined;
  readonly restart?: boolean | undefined;
}

export interface StartedSession {
  readonly host: string;
  readonly ports: readonly ServerPort[];
}

/** `GET /session/{id}`, in core terms. */
export interface DescribedSession {
  readonly id: string;
  readonly location: string;
  readonly host: string;
  /** From Gameye's `port` map (`{"7777/udp": 24011}`). */
  readonly ports: readonly ServerPort[];
  /** Gameye's status: created, running, restarting, exited, dead, draining, ... */
  readonly status: string;
}

/**
 * The Gameye calls placement makes. Every method throws only `GameyeCallError` (status 0 for
 * network failures and timeouts), with `retryable` decided by the adapter.
 */
export interface GameyePort {
  /** `GET /available-location/{image}`: ids of the locations able to host it now. */
  availableLocations(image: string): Promise<readonly string[]>;
  /** `GET /tag/{region}/{image}/{version}`. */
  tagExists(region: string, image: string, version: string): Promise<boolean>;
  /** `POST /session`. 409 means the id is taken: the core then describes and adopts. */
  startSession(request: StartSessionRequest): Promise<StartedSession>;
  /** `GET /session/{id}`; undefined on 404. */
  describeSession(sessionId: string): Promise<DescribedSession | undefined>;
  /** `DELETE /session/{id}` (MatchEnded): `stopped`, or `already-gone` on 404/409. */
  stopSession(sessionId: string): Promise<'stopped' | 'already-gone'>;
}

/**
 * Publishes to the `session-events` topic. The adapter sets the message attribute `type` from
 * `event.type`. Delivery is at least once; subscribers dedupe on `sessionId`.
 */
export interface EventPublisher {
  publish(event: SessionEvent): Promise<void>;
}

/** Wall-clock time, injected so tests and TTL caches need no real time. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The records that may still have a running session (PLACING, READY, ENDING). */
export interface ActiveSessionIndex {
  /**
   * Every active record, read from the sparse active-sessions index shard by shard (never a
   * table scan). Eventually consistent: the reaper acts through conditional writes only.
   */
  listActive(): Promise<SessionRecord[]>;
}

/** One session as Gameye's filtered list reports it. */
export interface LiveSession {
  readonly id: string;
  /**
   * created, running, restarting, exited, dead, draining, shuttingdown, server_unreachable;
   * undefined when Gameye's list left it out (the spec makes it optional).
   */
  readonly status: string | undefined;
  /** Undefined when Gameye's list left it out: unknown, never read as "nobody is playing". */
  readonly playerCount: number | undefined;
  /** Epoch ms. */
  readonly created: number;
  readonly location: string;
  readonly host: string;
  readonly image: string;
  readonly ports: readonly ServerPort[];
  /** The caller's labels as started (`bridge-match-id`, `bridge-profile`, ...). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The Gameye calls the reaper makes. Throws only `GameyeCallError`, with `retryable` decided
 * by the adapter.
 */
export interface LifecycleGameyePort {
  /**
   * The running sessions labelled `bridge-deployment = deploymentId`: one call. A session
   * missing from it is not necessarily gone (a warm-pool container ignores labels; a crashed
   * one is no longer listed): the reaper describes those before deciding.
   */
  listDeploymentSessions(deploymentId: string): Promise<readonly LiveSession[]>;
  /** `GET /session/{id}`; undefined when Gameye does not know it (404). */
  describeSession(sessionId: string): Promise<LiveSession | undefined>;
  /** `DELETE /session/{id}`: `stopped`, or `already-gone` on 404/409. */
  stopSession(sessionId: string): Promise<'stopped' | 'already-gone'>;
  /** `GET /artifacts` as a byte stream; undefined when Gameye does not have it (404). */
  artifact(sessionId: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** `GET /logs` as lines; undefined when Gameye does not know the session (404). */
  logs(sessionId: string): Promise<AsyncIterable<string> | undefined>;
}

/** What an archived object turned out to be. */
export interface StoredObject {
  readonly key: string;
  /** Bytes stored. */
  readonly size: number;
  /** Hex SHA-256 of the bytes stored, computed while they streamed. */
  readonly sha256: string;
}

/**
 * The archive bucket. Uploads stream: the adapter never holds a whole body in memory. Keys are
 * deterministic, so writing a key again replaces the object rather than adding one.
 */
export interface ArchiveStore {
  /** Stream `body` to `key`; with `gzip`, the bytes are gzipped on the way (size/hash of the stored bytes). */
  upload(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { readonly contentType: string; readonly gzip?: boolean },
  ): Promise<StoredObject>;
}
