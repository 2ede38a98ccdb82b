/**
 * The placement core's errors: one class per failure kind, each with a stable `name`, the
 * original error as `cause`, and the identifiers an operator needs to find the match
 * (`matchId`, `sessionId`) and Gameye's correlation id (`identifier`).
 *
 * Adapters translate vendor errors into these (a DynamoDB `ConditionalCheckFailedException`
 * becomes {@link AlreadyClaimedError} or {@link StateConflictError}; a failed Gameye call
 * becomes a {@link GameyeCallError} saying what it means), so the core never sees an SDK type
 * or an HTTP status.
 */

/** One bad field: where it is (`players[0].latencies.eu-west`) and what was expected. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Context every core error may carry. Absent values stay `undefined` rather than `''`. */
export interface ErrorContext {
  readonly matchId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly identifier?: string | undefined;
  readonly cause?: unknown;
}

abstract class CoreError extends Error {
  readonly matchId: string | undefined;
  readonly sessionId: string | undefined;
  /** Gameye's correlation id, when a Gameye answer caused this error. */
  readonly identifier: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.matchId = context.matchId;
    this.sessionId = context.sessionId;
    this.identifier = context.identifier;
  }
}

/** Lists issues in one message so a single log line names every bad field. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}

/**
 * An inbound body that is not JSON, too large, or fails its schema: a MatchFound, a control
 * message, or a matchmaker's native message. `format` names what it was read as (`FlexMatch`,
 * `Open Match 2`, …) and each issue's path is the field in that format, so an operator finds the
 * field in what the matchmaker sent.
 */
export class MatchEventError extends CoreError {
  override readonly name = 'MatchEventError';
  readonly issues: readonly FieldIssue[];
  /** The format the body was read as, as a person names it; undefined for MatchFound v1. */
  readonly format: string | undefined;

  constructor(issues: readonly FieldIssue[], context: ErrorContext & { readonly format?: string } = {}) {
    const what = context.format === undefined ? 'match event' : `${context.format} message`;
    super(`invalid ${what}: ${describeIssues(issues)}`, context);
    this.issues = issues;
    this.format = context.format;
  }
}

/** The bridge configuration fails its schema; fatal at cold start. */
export class ConfigError extends CoreError {
  override readonly name = 'ConfigError';
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], context: ErrorContext = {}) {
    super(`invalid bridge configuration: ${describeIssues(issues)}`, context);
    this.issues = issues;
  }
}

/**
 * Why a match failed: the `reason` of SessionFailed and of a FAILED record. The delivery that
 * fails is not retried; those in {@link RETRYABLE_FAILURES} are placed afresh when the match is
 * delivered again (a redrive).
 */
export const PERMANENT_REASONS = [
  'invalid-event',
  'unknown-profile',
  'override-not-allowed',
  'no-eligible-region',
  'none-within-cap',
  'unknown-image-or-location',
  'quota-exhausted',
  'rejected-by-gameye',
  'unauthorized',
  'session-ended-before-ready',
  /** The reaper found the record PLACING after every SQS retry, with no session at Gameye. */
  'placement-abandoned',
  /** The last delivery SQS allows still failed transiently (Gameye down, a lost race, …). */
  'retries-exhausted',
  /**
   * The last delivery SQS allows still found no region with room: every region that could
   * host the match was full (or not offered by Gameye) on every delivery.
   */
  'no-capacity',
  /** MatchEnded arrived before MatchFound (SQS does not keep order): the match is over already. */
  'ended-before-placed',
] as const;
export type PermanentReason = (typeof PERMANENT_REASONS)[number];

/** A failure's message (SessionFailed, a FAILED record) is cut to this many characters. */
export const MAX_FAILURE_MESSAGE_CHARS = 4_096;

/**
 * Failures that say nothing about the match itself: a later delivery of the same match (an
 * operator's `dlq redrive`, or the matchmaker sending it again) places it afresh.
 */
export const RETRYABLE_FAILURES: ReadonlySet<PermanentReason> = new Set([
  'retries-exhausted',
  'no-capacity',
  'unauthorized',
  'placement-abandoned',
]);

/** A placement that must not be retried. Carries the reason code published in SessionFailed. */
export class PermanentPlacementError extends CoreError {
  override readonly name = 'PermanentPlacementError';
  readonly reason: PermanentReason;

  constructor(reason: PermanentReason, message: string, context: ErrorContext = {}) {
    super(message, context);
    this.reason = reason;
  }
}

/** Why a placement should be retried by SQS redelivery. */
export type TransientReason =
  | 'gameye-unavailable'
  | 'no-capacity'
  | 'deadline'
  | 'concurrent-update'
  | 'dependency-error'
  /** A MatchEnded for a match still PLACING: retried until placement settles it. */
  | 'not-ready-yet'
  /** Gameye refused the token (401/403): fixing the token fixes every match, so retry. */
  | 'unauthorized'
  /** The matchmaker could not say what the match needs now (FlexMatch's ticket lookup failed). */
  | 'matchmaker-unavailable'
  /** A backfill for a match still being placed: retried until it is READY (or the retries run out). */
  | 'match-placing';

/**
 * A placement that failed for now: the handler fails only this SQS record, which comes back
 * after its visibility timeout. The session record is left in a state the retry resumes from.
 */
export class TransientPlacementError extends CoreError {
  override readonly name = 'TransientPlacementError';
  readonly reason: TransientReason;

  constructor(reason: TransientReason, message: string, context: ErrorContext = {}) {
    super(message, context);
    this.reason = reason;
  }
}

/** `SessionStore.claim` found a record for this match already (another delivery claimed it). */
export class AlreadyClaimedError extends CoreError {
  override readonly name = 'AlreadyClaimedError';
}

/**
 * An archive download was cut off because the reaper's run reached its deadline: the record
 * stays ENDING and a later run downloads the path again.
 */
export class ArchiveCutOffError extends CoreError {
  override readonly name = 'ArchiveCutOffError';
}

/**
 * `SessionStore.transition` found the record in another state or version than expected: some
 * other writer moved it first.
 */
export class StateConflictError extends CoreError {
  override readonly name = 'StateConflictError';
}

/**
 * What a failed Gameye call means to the bridge. The Gameye adapters decide it from Gameye's
 * answer, once, so the core reasons in these terms only:
 * - `unavailable`: Gameye did not answer usefully (down, overloaded, timed out, rate limited);
 *   the same call may succeed later.
 * - `region-full`: the location has no capacity now (or too many starts at once); another
 *   location, or the same one a little later, may take it.
 * - `session-exists`: a session with this id exists already (a start repeated after an
 *   earlier one landed).
 * - `quota-exhausted`: the account may start no more sessions.
 * - `unauthorized`: the token was refused (missing, wrong, lacking a scope).
 * - `unknown-image-or-location`: Gameye does not know the image, the tag or the location.
 * - `rejected`: Gameye refused the request as invalid, or answered outside its contract.
 */
export const GAMEYE_FAILURES = [
  'unavailable',
  'region-full',
  'session-exists',
  'quota-exhausted',
  'unauthorized',
  'unknown-image-or-location',
  'rejected',
] as const;
export type GameyeFailure = (typeof GAMEYE_FAILURES)[number];

/** Failures that may go away by themselves: worth asking again later. */
const RETRYABLE_GAMEYE_FAILURES: ReadonlySet<GameyeFailure> = new Set(['unavailable', 'region-full']);

/**
 * The one error a Gameye port throws, in the bridge's terms ({@link GameyeFailure}). The
 * message must never contain the bearer token.
 */
export class GameyeCallError extends Error {
  override readonly name = 'GameyeCallError';
  readonly kind: GameyeFailure;
  /** Gameye's error `code` from its envelope, when there was one. */
  readonly code: string | undefined;
  /** Gameye's correlation id from its envelope, when there was one. */
  readonly identifier: string | undefined;
  /** Whether the same call may succeed later (`unavailable`, `region-full`). */
  readonly retryable: boolean;

  constructor(props: {
    kind: GameyeFailure;
    message: string;
    code?: string | undefined;
    identifier?: string | undefined;
    cause?: unknown;
  }) {
    super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
    this.kind = props.kind;
    this.code = props.code;
    this.identifier = props.identifier;
    this.retryable = RETRYABLE_GAMEYE_FAILURES.has(props.kind);
  }
}

/**
 * What a failed call to a matchmaker's API (GameLift) means: `throttled` (rate exceeded),
 * `unavailable` (no useful answer: a 5xx, a timeout, a network failure), `denied` (the
 * function may not call it: credentials or permissions), `rejected` (the request was refused
 * as invalid). Every kind fails only the delivery; a later one may succeed once the cause is
 * gone (throttling passes, a permission is granted).
 */
export const MATCHMAKER_FAILURES = ['throttled', 'unavailable', 'denied', 'rejected'] as const;
export type MatchmakerFailure = (typeof MATCHMAKER_FAILURES)[number];

/** The one error a matchmaker port throws. Never carries credentials. */
export class MatchmakerCallError extends Error {
  override readonly name = 'MatchmakerCallError';
  readonly kind: MatchmakerFailure;
  /** The vendor's error code (`ThrottlingException`, …), when it gave one. */
  readonly code: string | undefined;
  /** The vendor's request id, to quote to its support. */
  readonly requestId: string | undefined;

  constructor(props: {
    kind: MatchmakerFailure;
    message: string;
    code?: string | undefined;
    requestId?: string | undefined;
    cause?: unknown;
  }) {
    super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
    this.kind = props.kind;
    this.code = props.code;
    this.requestId = props.requestId;
  }
}
