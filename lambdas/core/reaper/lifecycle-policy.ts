/**
 * The reaper's policy, pure: what to do with one active record given what Gameye says about
 * its session now. No I/O, so every rule is tested with plain values.
 *
 * Idle tracking samples the player count once per reaper run (the schedule's rate): a player
 * who joins and leaves between two runs is not seen. `firstPlayerAt` switches a session from
 * the join-grace rule to the idle rule; `idleSince` is set when the count is first seen at 0
 * after that and cleared when a player is back. Both are written only when they change, so a
 * run over sessions whose state did not change writes nothing.
 */
import type { Profile } from '../config.ts';
import type { Liveness, LiveSession } from '../ports.ts';
import type { SessionRecord } from '../session-record.ts';
import type { StopReason } from '../stop-reasons.ts';

/** A session that can no longer serve its match: nothing runs, or Gameye lost contact with it. */
const CRASHED: ReadonlySet<Liveness> = new Set(['ended', 'unreachable']);

/**
 * Gameye still holds something for the session (a stop is worth sending). Unknown counts as
 * running: a session is never judged gone on a guess.
 */
export function mayBeRunning(liveness: Liveness | undefined): boolean {
  return liveness !== 'ended';
}

export type Decision =
  | { readonly kind: 'keep' }
  /** Keep running, but record what changed about its players. */
  | {
      readonly kind: 'track';
      readonly firstPlayerAt: string | undefined;
      readonly idleSince: string | undefined;
    }
  | { readonly kind: 'stop'; readonly reason: StopReason }
  /** ENDING already: finish the stop and the archive. */
  | { readonly kind: 'finish' }
  /** PLACING past the retry window with a session at Gameye: stop and archive it. */
  | { readonly kind: 'abandon-running' }
  /** PLACING past the retry window and Gameye has nothing: the placement failed for good. */
  | { readonly kind: 'abandon-failed' };

/** What Gameye says of a session that the policy decides on. */
export type LiveStatus = Pick<LiveSession, 'liveness' | 'playerCount'>;

/** The record's fields the policy reads (the reaper's index entry carries exactly these). */
export type PolicyRecord = Pick<
  SessionRecord,
  'state' | 'createdAt' | 'readyAt' | 'firstPlayerAt' | 'idleSince'
>;

export interface PolicyInput {
  readonly record: PolicyRecord;
  /** The session as Gameye lists it; undefined when Gameye does not list it. */
  readonly live: LiveStatus | undefined;
  /** The record's profile; undefined when the config no longer has it (no per-profile limits then). */
  readonly profile: Profile | undefined;
  readonly orphanGraceMs: number;
  readonly now: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function decide(input: PolicyInput): Decision {
  const { record, live, profile, now } = input;
  if (record.state === 'ENDING') return { kind: 'finish' };
  if (record.state === 'PLACING') {
    // Younger than the retry window: a redelivery may still place or adopt it; not ours yet.
    if (now - Date.parse(record.createdAt) < input.orphanGraceMs) return { kind: 'keep' };
    return live ? { kind: 'abandon-running' } : { kind: 'abandon-failed' };
  }
  if (record.state !== 'READY') return { kind: 'keep' };
  if (!live) return { kind: 'stop', reason: 'gone' };
  if (live.liveness !== undefined && CRASHED.has(live.liveness)) return { kind: 'stop', reason: 'crashed' };

  const readyAt = Date.parse(record.readyAt ?? record.createdAt);
  if (profile?.maxLifetimeMs !== undefined && now - readyAt >= profile.maxLifetimeMs) {
    return { kind: 'stop', reason: 'max-lifetime' };
  }
  // Gameye did not say how many play (even when described): judge nothing on a guess.
  if (live.playerCount === undefined) return { kind: 'keep' };
  if (live.playerCount > 0) {
    if (record.firstPlayerAt !== undefined && record.idleSince === undefined) return { kind: 'keep' };
    return { kind: 'track', firstPlayerAt: record.firstPlayerAt ?? iso(now), idleSince: undefined };
  }
  if (record.firstPlayerAt === undefined) {
    if (profile?.joinGraceMs !== undefined && now - readyAt >= profile.joinGraceMs) {
      return { kind: 'stop', reason: 'no-players-joined' };
    }
    return { kind: 'keep' };
  }
  if (record.idleSince === undefined) {
    return { kind: 'track', firstPlayerAt: record.firstPlayerAt, idleSince: iso(now) };
  }
  if (profile?.idleTimeoutMs !== undefined && now - Date.parse(record.idleSince) >= profile.idleTimeoutMs) {
    return { kind: 'stop', reason: 'idle' };
  }
  return { kind: 'keep' };
}

/**
 * A labelled session no active record names is an orphan once it is older than the grace (a
 * younger one may belong to a placement whose record the index has not shown yet). Only a
 * session still holding resources needs stopping.
 */
export function isOrphan(
  live: Pick<LiveSession, 'liveness' | 'created'>,
  graceMs: number,
  now: number,
): boolean {
  return (
    // Gameye already taking it down, or nothing left: no orphan stop needed.
    live.liveness !== 'ended' && live.liveness !== 'stopping' && now - live.created >= graceMs
  );
}
