/**
 * What the reaper reads of each active record on every run: only the attributes it decides on.
 * A whole record (players, ranking, attempts, archive progress) is several times larger, and at
 * 100,000 active sessions holding them all would not fit the function's memory; the reaper
 * reads the whole record (strongly consistent) only for the few records it acts on.
 */
import * as z from 'zod';
import { SessionRecord } from '../session-record.ts';

const field = SessionRecord.shape;

/** An active record as the index gives it to the reaper: its fields keep SessionRecord's schemas. */
export const ActiveEntry = z.object({
  matchId: field.matchId,
  sessionId: field.sessionId,
  state: field.state,
  /** The version the decision was made on: a record whose version moved on is read afresh next run. */
  version: field.version,
  profile: field.profile,
  /** The Gameye location a READY or ENDING record runs in (lists are read location by location). */
  region: field.region,
  createdAt: field.createdAt,
  /** ENDING records are finished oldest first. */
  updatedAt: field.updatedAt,
  readyAt: field.readyAt,
  /** When an ENDING record's session was stopped: how long its archive has waited. */
  stoppedAt: field.stoppedAt,
  firstPlayerAt: field.firstPlayerAt,
  idleSince: field.idleSince,
});
export type ActiveEntry = z.infer<typeof ActiveEntry>;

/** The attribute names an index read asks for (the adapter's projection). */
export const ACTIVE_ENTRY_ATTRIBUTES: readonly (keyof ActiveEntry)[] = Object.keys(
  ActiveEntry.shape,
) as (keyof ActiveEntry)[];

/** The records that may still have a running session (PLACING, READY, ENDING). */
export interface ActiveIndex {
  /**
   * Every active record's {@link ActiveEntry}, read from the sparse active-sessions index shard
   * by shard (never a table scan), handed to `onPage` one page at a time as it arrives, so the
   * caller holds only what it keeps. Eventually consistent: the reaper reads a record whole and
   * strongly consistent before it writes, and every write is conditional.
   */
  readActive(onPage: (entries: readonly ActiveEntry[]) => void): Promise<void>;
  /**
   * The entries of one shard (`active#<n>`), read whatever `activeShards` says: how the reaper
   * finds records in shards it no longer reads (`unread-shards.ts`).
   */
  readShard(shard: string, onPage: (entries: readonly ActiveEntry[]) => void): Promise<void>;
  /** Every entry at once, for tools and tests (the reaper's run reads page by page). */
  listActive(): Promise<ActiveEntry[]>;
}
