/**
 * What every reaper step works with: its dependencies, the observer it reports to, and the
 * small lookups the steps share. The scheduled run (run-reaper.ts), the ending steps
 * (finish-ending.ts) and the operator's `bridge stop` (end-match.ts) all take a ReaperDeps.
 */

import type { BridgeConfig, Profile } from '../config.ts';
import { GameyeCallError } from '../errors.ts';
import type {
  ArchiveStore,
  Clock,
  EventPublisher,
  LifecycleGameyePort,
  LiveSession,
  SessionStore,
} from '../ports.ts';
import type { SessionRecord } from '../session-record.ts';
import type { StopReason } from '../stop-reasons.ts';
import type { ActiveIndex } from './active-entry.ts';

/** Enough of a record to name it in a log line: an index entry or a whole record. */
export type RecordRef = Pick<SessionRecord, 'matchId' | 'sessionId' | 'region'>;

/** What the handler learns as the reaper works: metrics and log lines live there, not here. */
export interface ReaperObserver {
  /** A session reached ENDED (stopped and archived); `bytes` archived for it. */
  ended(record: SessionRecord, reason: StopReason, bytes: number): void;
  /** A step failed and will be retried by a later run (or was lost to another writer). */
  deferred(record: RecordRef, step: string, error: unknown): void;
  /** A configured artifact was not at Gameye (404). */
  missing(record: SessionRecord, path: string): void;
  /** An orphan was found and given an ENDING record. */
  orphan(live: LiveSession): void;
  /**
   * A session still ran although its orphan record had ended (its stop was lost, or it came
   * back): stopped again, not archived twice.
   */
  orphanStoppedAgain?(live: LiveSession, record: SessionRecord): void;
  /**
   * A running session's record sat in a shard the index is no longer read over (`activeShards`
   * was lowered): moved into one it is, so the next run applies the lifecycle policy to it.
   */
  movedIntoReadShard?(record: SessionRecord, from: string): void;
  /**
   * A list failed: one location's sessions (its records wait for the next run), or the
   * locations Gameye offers for an image (this run looks for orphans in fewer places).
   */
  listFailed?(list: string, error: unknown): void;
  /**
   * Describes found sessions still running in these locations, which no list of the run had
   * named (Gameye reports other location names than placement used): the run lists them now,
   * one at a time, by the names Gameye gave.
   */
  locationsUnlisted?(locations: readonly string[]): void;
}

const silentObserver: ReaperObserver = { ended() {}, deferred() {}, missing() {}, orphan() {} };

export interface ReaperDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly index: ActiveIndex;
  readonly gameye: LifecycleGameyePort;
  readonly archive: ArchiveStore;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  /** Key prefix in the archive bucket (BRIDGE_RESOURCES.archiveBucket.prefix). */
  readonly archivePrefix: string;
  /** The time between scheduled runs (the stack's `reaperRate`). Default: a minute. */
  readonly runPeriodMs?: number | undefined;
  readonly observer?: ReaperObserver;
}

/** The deps' observer, or one that ignores everything. */
export function observerOf(deps: ReaperDeps): ReaperObserver {
  return deps.observer ?? silentObserver;
}

/** A record's profile; undefined when the config no longer has it (then no profile rule applies). */
export function profileOf(config: Readonly<BridgeConfig>, name: string): Profile | undefined {
  return Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
}

/** For the handler's logs: Gameye's correlation id of a failure, when it has one. */
export function identifierOf(error: unknown): string | undefined {
  return error instanceof GameyeCallError ? error.identifier : undefined;
}
