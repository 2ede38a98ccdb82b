/**
 * The placement core's errors: one class per failure kind, each with a stable `name`, the
 * original error as `cause`, and the identifiers an operator needs to find the match
 * (`matchId`, `sessionId`) and Gameye's correlation id (`identifier`).
 *
 * Adapters translate vendor errors into these (a DynamoDB `ConditionalCheckFailedException`
 * becomes {@link AlreadyClaimedError} or {@link StateConflictError}; an HTTP failure from the
 * Gameye client becomes {@link GameyeCallError}), so the core never sees an SDK type.
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

/** A MatchFound/MatchEnded body that is not JSON, too large, or fails its schema. */
export class MatchEventError extends CoreError {
  override readonly name = 'MatchEventError';
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], context: ErrorContext = {}) {
    super(`invalid match event: ${describeIssues(issues)}`, context);
    this.issues = issues;
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
 * Why a placement failed for good. Each is answered with a SessionFailed event and the record
 * (when one was claimed) goes to FAILED; none is retried.
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
  /** The last delivery SQS allows still failed transiently (Gameye down, every region full, …). */
  'retries-exhausted',
  /** MatchEnded arrived before MatchFound (SQS does not keep order): the match is over already. */
  'ended-before-placed',
] as const;
export type PermanentReason = (typeof PERMANENT_REASONS)[number];

/**
 * Failures that say nothing about the match itself: a later delivery of the same match (an
 * operator's `dlq redrive`, or the matchmaker sending it again) places it afresh.
 */
export const RETRYABLE_FAILURES: ReadonlySet<PermanentReason> = new Set([
  'retries-exhausted',
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
  | 'unauthorized';

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
 * `SessionStore.transition` found the record in another state or version than expected: some
 * other writer moved it first.
 */
export class StateConflictError extends CoreError {
  override readonly name = 'StateConflictError';
}

/**
 * The one error a {@link GameyePort} throws. The adapter decides `retryable` from explicit
 * lists (420/429/5xx/network retry; 400/401/402/403/404/409/422 do not), so that decision lives
 * in one place. Network failures and timeouts carry `status = 0`. The message must never
 * contain the bearer token.
 */
export class GameyeCallError extends Error {
  override readonly name = 'GameyeCallError';
  /** HTTP status, or 0 for a network failure or timeout. */
  readonly status: number;
  /** Gameye's error `code` from its envelope, when there was one. */
  readonly code: string | undefined;
  /** Gameye's correlation id from its envelope, when there was one. */
  readonly identifier: string | undefined;
  readonly retryable: boolean;

  constructor(props: {
    status: number;
    message: string;
    retryable: boolean;
    code?: string | undefined;
    identifier?: string | undefined;
    cause?: unknown;
  }) {
    super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
    this.status = props.status;
    this.code = props.code;
    this.identifier = props.identifier;
    this.retryable = props.retryable;
  }
}
