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
   * (`attribute_not_exists(matchId)`); otherwise throw `AlreadyClaimedError`.
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
