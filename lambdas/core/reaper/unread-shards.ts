/**
 * Records in shards the index is no longer read over. Records keep the shard they were written
 * with, so lowering `activeShards` hides those in the dropped shards from every later run: their
 * servers would run, and their archives wait, for ever. Each run therefore reads one shard
 * between `activeShards` and {@link MAX_ACTIVE_SHARDS} (one query, nearly always empty) and moves
 * every active record it finds into a shard the index is read over; the next run decides it.
 *
 * The shard moves on by one every run (counted in the schedule's periods, as `rotation.ts`
 * counts them), so every one is read within `MAX_ACTIVE_SHARDS − activeShards` runs (92 with
 * the default 8). A record whose session still runs is found sooner, as an unclaimed session
 * (`orphans.ts`).
 */

import { activeShardName } from '../../shared/sessions-table.ts';
import { MAX_ACTIVE_SHARDS } from '../config.ts';
import { ACTIVE_STATES, inReadShard, type SessionRecord, withReadShard } from '../session-record.ts';
import type { ActiveEntry } from './active-entry.ts';
import { observerOf, type ReaperDeps } from './reaper-context.ts';
import { DEFAULT_RUN_PERIOD_MS } from './rotation.ts';

/** The unread shard a run at `now` reads, or undefined when every shard is read. */
export function unreadShardFor(
  now: number,
  activeShards: number,
  periodMs: number = DEFAULT_RUN_PERIOD_MS,
): string | undefined {
  const unread = MAX_ACTIVE_SHARDS - activeShards;
  if (unread <= 0) return undefined;
  return activeShardName(activeShards + (Math.floor(now / periodMs) % unread));
}

/** Rewrites an active `record` into a shard the index is read over; a failed write waits a run. */
export async function moveIntoReadShard(
  record: SessionRecord,
  deps: ReaperDeps,
  now: number,
): Promise<boolean> {
  try {
    const moved = withReadShard(record, deps.config.activeShards, now);
    await deps.store.transition(moved, record);
    observerOf(deps).movedIntoReadShard?.(moved, record.activeShard ?? '(none)');
    return true;
  } catch (error) {
    observerOf(deps).deferred(record, 'move record into a read shard', error);
    return false;
  }
}

/** Reads this run's unread shard and moves what it holds; returns how many records moved. */
export async function sweepUnreadShard(
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
): Promise<number> {
  const shard = unreadShardFor(now, deps.config.activeShards, deps.runPeriodMs);
  if (shard === undefined || !hasTime()) return 0;
  const found: ActiveEntry[] = [];
  try {
    await deps.index.readShard(shard, (page) => found.push(...page));
  } catch (error) {
    observerOf(deps).listFailed?.(`index ${shard}`, error);
    return 0;
  }
  let moved = 0;
  for (const entry of found) {
    if (!hasTime()) break;
    let record: SessionRecord | undefined;
    try {
      // Whole and strongly consistent, as before any reaper write.
      record = await deps.store.get(entry.matchId);
    } catch (error) {
      observerOf(deps).deferred(entry, 'read record of an unread shard', error);
      continue;
    }
    if (!record || !ACTIVE_STATES.has(record.state) || inReadShard(record, deps.config.activeShards))
      continue;
    if (await moveIntoReadShard(record, deps, now)) moved += 1;
  }
  return moved;
}
