/**
 * Placement's decisions, pure: at each moment of a delivery, what to do next given what is
 * known then. No I/O, so every rule is tested as a table (`test/placement/policy.test.ts`);
 * `place-match.ts` only carries the decisions out. The reaper's counterpart is
 * `reaper/lifecycle-policy.ts`.
 *
 * The moments, in the order a delivery meets them:
 * 1. {@link onArrival}: what the match's record (if one was read) says about this delivery.
 * 2. {@link onRegionsUnknown} / {@link onRegions}: Gameye's availability, as a ranked choice.
 * 3. {@link hasTimeFor}: whether another region may be tried before the deadline.
 * 4. {@link onStart}: Gameye's answer to a start.
 * 5. {@link onDescribed}: the session Gameye describes after "it exists already".
 * 6. {@link onGiveUp}: the last delivery SQS allows failed for now: which failure to record.
 */
import {
  type GameyeCallError,
  type PermanentPlacementError,
  type PermanentReason,
  RETRYABLE_FAILURES,
  type TransientReason,
} from '../errors.ts';
import type { DescribedSession } from '../ports.ts';
import { describeDropped } from '../ranking.ts';
import type { Attempt, SessionRecord } from '../session-record.ts';
import type { RegionChoice } from './region-choice.ts';

/** Stop here for now: SQS redelivers the message later (transient). */
export interface Wait {
  readonly do: 'wait';
  readonly reason: TransientReason;
  readonly message: string;
}

/** Stop here for good: the match is answered with SessionFailed. */
export interface Fail {
  readonly do: 'fail';
  readonly reason: PermanentReason;
  readonly message: string;
}

const wait = (reason: TransientReason, message: string): Wait => ({ do: 'wait', reason, message });
const fail = (reason: PermanentReason, message: string): Fail => ({ do: 'fail', reason, message });

export interface Arrival {
  /** The match's record as last read or written by this delivery; undefined when none is known. */
  readonly record: SessionRecord | undefined;
  /** Whether the store was read, so that an undefined `record` means there is none. */
  readonly looked: boolean;
  /** Why the match cannot be placed as sent (unknown profile, a refused override), if so. */
  readonly planError: PermanentPlacementError | undefined;
  /**
   * Placing needs a call outside the bridge first (FlexMatch's ticket lookup): read the record
   * before claiming, so a duplicate of a settled match never makes it.
   */
  readonly costlyToPrepare?: boolean;
}

export type ArrivalDecision =
  /** Read the record first (the plan failed before any read, or another delivery claimed). */
  | { readonly do: 'look' }
  /** Refuse the match without a record: nothing was started, so there is nothing to reap. */
  | { readonly do: 'reject' }
  /** The match is settled already (READY, FAILED for good, ENDING, ENDED): answer from it. */
  | { readonly do: 'answer' }
  /** It failed for reasons outside the match (Gameye down, token, capacity): place it afresh. */
  | { readonly do: 'retry' }
  /** A placement is under way but the match cannot be placed as sent now: fail the record. */
  | { readonly do: 'fail-plan' }
  /** Claim (no record) or resume (PLACING) the placement. */
  | { readonly do: 'place' };

export function onArrival({ record, looked, planError, costlyToPrepare }: Arrival): ArrivalDecision {
  if (record === undefined) {
    // Claiming first saves a read when the match is new; a duplicate then reads after losing.
    if (planError === undefined) return costlyToPrepare && !looked ? { do: 'look' } : { do: 'place' };
    // Before refusing, look: an earlier delivery may have placed this match already.
    return looked ? { do: 'reject' } : { do: 'look' };
  }
  switch (record.state) {
    case 'PLACING':
      return planError === undefined ? { do: 'place' } : { do: 'fail-plan' };
    case 'FAILED':
      return record.failure !== undefined && RETRYABLE_FAILURES.has(record.failure.reason)
        ? { do: 'retry' }
        : { do: 'answer' };
    default:
      return { do: 'answer' };
  }
}

/** A settled record whose outcome event was never recorded as published: publish it again. */
export function needsRepublish(record: SessionRecord): boolean {
  return (record.state === 'READY' || record.state === 'FAILED') && record.publishedAt === undefined;
}

/** Gameye's availability could not be read. */
export function onRegionsUnknown(error: GameyeCallError): Wait | Fail {
  if (error.kind === 'unauthorized') return refusedToken(error);
  if (error.retryable) return wait('gameye-unavailable', `Gameye is unavailable: ${error.message}`);
  return failFromGameye(error);
}

export type RegionsDecision = { readonly do: 'try'; readonly order: readonly string[] } | Wait | Fail;

/**
 * The regions to try, best first. A region an earlier delivery left a start pending in comes
 * first, so that start is repeated (same id) before any other: its fate is settled before a
 * second region is asked.
 */
export function onRegions(choice: RegionChoice, pending: Attempt | undefined): RegionsDecision {
  const order = choice.ranked.map((c) => c.region).filter((r) => r !== pending?.region);
  if (pending) order.unshift(pending.region);
  if (order.length > 0) return { do: 'try', order };
  // Summarised by reason: the dropped list can be as long as the match's region names.
  const why = describeDropped(choice.dropped);
  // Nothing ranked only because regions are full now (Gameye does not offer them, or they
  // answered "no capacity" a moment ago): capacity comes back, so the match waits.
  if (choice.failure === 'no-capacity-now') {
    return wait('no-capacity', `no region can host this match now: ${why}`);
  }
  return fail(choice.failure ?? 'no-eligible-region', `no region may host this match: ${why}`);
}

/** Whether a further region may be tried: only with at least `reserveMs` left before the deadline. */
export function hasTimeFor(now: number, deadline: number, reserveMs: number): boolean {
  return deadline - now >= reserveMs;
}

export type StartDecision =
  /** Started: the session is ours. */
  | { readonly do: 'ready' }
  /** A session with our id exists (an earlier start landed): describe and adopt it. */
  | { readonly do: 'adopt' }
  /** This region is full: cool it down, try the next. */
  | { readonly do: 'next-region' }
  /** Try again later; the start stays pending, so the next delivery repeats it first. */
  | Wait
  /** Gameye refused the match; the attempt is settled as failed. */
  | Fail;

/** Gameye's answer to a start: `undefined` when it started the session. */
export function onStart(error: GameyeCallError | undefined): StartDecision {
  if (error === undefined) return { do: 'ready' };
  switch (error.kind) {
    case 'session-exists':
      return { do: 'adopt' };
    case 'region-full':
      return { do: 'next-region' };
    case 'unauthorized':
      return refusedToken(error);
    case 'unavailable':
      return wait('gameye-unavailable', `Gameye did not start the session: ${error.message}`);
    default:
      return failFromGameye(error);
  }
}

export type DescribedDecision = { readonly do: 'ready'; readonly session: DescribedSession } | Wait | Fail;

/** The session Gameye describes after answering that it exists. */
export function onDescribed(session: DescribedSession | undefined, sessionId: string): DescribedDecision {
  if (session === undefined) {
    return wait('gameye-unavailable', 'Gameye says the session exists but does not describe it');
  }
  if (session.liveness === 'ended') {
    return fail(
      'session-ended-before-ready',
      `session ${sessionId} is ${session.status} before it was handed to players`,
    );
  }
  return { do: 'ready', session };
}

/**
 * Before failing a match whose earlier delivery left a start pending: a session that runs is
 * adopted instead (failing it would strand the players and leak the server).
 */
export function adoptsInsteadOfFailing(session: DescribedSession | undefined): boolean {
  return session !== undefined && session.liveness !== 'ended';
}

/** The failure the last delivery records when it failed for now. */
export function onGiveUp(reason: TransientReason): PermanentReason {
  switch (reason) {
    case 'unauthorized':
      return 'unauthorized';
    case 'no-capacity':
      return 'no-capacity';
    default:
      return 'retries-exhausted';
  }
}

/**
 * A refused token is the deployment's problem, not the match's: failing every match for good
 * would leave them all FAILED after the token is fixed. Retry instead; the last delivery
 * records `unauthorized` (a retryable failure) and the alarm on failures calls a human.
 */
function refusedToken(error: GameyeCallError): Wait {
  return wait('unauthorized', `Gameye refused the token: ${error.message}`);
}

function failFromGameye(error: GameyeCallError): Fail {
  const code = error.code === undefined ? '' : ` (${error.code})`;
  switch (error.kind) {
    case 'quota-exhausted':
      return fail('quota-exhausted', `Gameye's session quota is exhausted${code}: ${error.message}`);
    case 'unknown-image-or-location':
      return fail(
        'unknown-image-or-location',
        `Gameye does not know the image, tag or location${code}: ${error.message}`,
      );
    default:
      return fail('rejected-by-gameye', `Gameye refused the session${code}: ${error.message}`);
  }
}
