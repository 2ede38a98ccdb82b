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

/** A session start, in core terms. The adapter maps it to the wire request. */
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

/**
 * What a session's Gameye status means for its match, decided by the Gameye adapters in one
 * place: `starting` (created, restarting), `serving` (running), `unreachable` (Gameye lost
 * contact with the server), `stopping` (draining, shutting down), `ended` (exited or dead:
 * nothing runs any more).
 */
export type Liveness = 'starting' | 'serving' | 'unreachable' | 'stopping' | 'ended';

/** A session Gameye describes, in core terms. */
export interface DescribedSession {
  readonly id: string;
  readonly location: string;
  readonly host: string;
  /** The host port of each container port. */
  readonly ports: readonly ServerPort[];
  readonly liveness: Liveness;
  /** Gameye's own word for it, for log lines only: decisions use `liveness`. */
  readonly status: string;
}

/**
 * The Gameye calls placement makes. Every method throws only `GameyeCallError`, whose `kind`
 * says what the failure means (the adapter decides it from Gameye's answer).
 */
export interface GameyePort {
  /** The locations able to host the image now (changes often: cache it briefly). */
  availableLocations(image: string): Promise<readonly string[]>;
  /** Whether the fleet in `region` holds this tag of the image. */
  tagExists(region: string, image: string, version: string): Promise<boolean>;
  /**
   * Start the session under our id. `session-exists` means a session with this id runs
   * already (ours: the id is derived from the match): the core describes and adopts it.
   */
  startSession(request: StartSessionRequest): Promise<StartedSession>;
  /** The session, or undefined when Gameye does not know it. */
  describeSession(sessionId: string): Promise<DescribedSession | undefined>;
  /** Stop the session (MatchEnded): `stopped`, or `already-gone` when nothing was running. */
  stopSession(sessionId: string): Promise<'stopped' | 'already-gone'>;
}

/** One matchmaking ticket as the matchmaker describes it now. */
export interface DescribedTicket {
  readonly ticketId: string;
  /** Each player's measured round trip in ms, keyed by the matchmaker's region code. */
  readonly players: readonly {
    readonly playerId: string;
    readonly latencyInMs: Readonly<Record<string, number>>;
  }[];
}

/**
 * A matchmaker's tickets, read back for what its match event leaves out (FlexMatch's
 * latencies: GameLift `DescribeMatchmaking`). Throws only `MatchmakerCallError`.
 */
export interface MatchmakingTickets {
  /**
   * The tickets among `ticketIds` (at most `MAX_TICKETS_PER_LOOKUP`) that the matchmaker still
   * knows; unknown or expired ones are left out, not an error.
   */
  describeTickets(ticketIds: readonly string[]): Promise<readonly DescribedTicket[]>;
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

/** One session as Gameye's filtered list reports it. */
export interface LiveSession {
  readonly id: string;
  /**
   * What its Gameye status means (see {@link Liveness}); undefined when Gameye's list left the
   * status out (the spec makes it optional).
   */
  readonly liveness: Liveness | undefined;
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
   * The running sessions labelled `bridge-deployment = deploymentId`, in `location` only when
   * given: one call. A session missing from it is not necessarily gone (a warm-pool container
   * ignores labels; a crashed one is no longer listed): the reaper describes those before
   * deciding.
   */
  listDeploymentSessions(deploymentId: string, location?: string): Promise<readonly LiveSession[]>;
  /** `GET /available-location/{image}`: ids of the locations able to host it now. */
  availableLocations(image: string): Promise<readonly string[]>;
  /** The session, or undefined when Gameye does not know it. */
  describeSession(sessionId: string): Promise<LiveSession | undefined>;
  /** Stop the session: `stopped`, or `already-gone` when nothing was running. */
  stopSession(sessionId: string): Promise<'stopped' | 'already-gone'>;
  /** A stopped session's file or folder as a byte stream; undefined when Gameye does not have it. */
  artifact(sessionId: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The server's output as lines; undefined when Gameye does not know the session. */
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
