/**
 * The reaper's scheduled run: stops the sessions that outlived their purpose and archives their
 * artifacts and logs (the invariants "no session outlives its purpose" and "no archive is
 * silently dropped"). It also finishes the archive of every match MatchEnded stopped
 * (match-ended.ts).
 *
 * One run, built to hold little at 100,000 active sessions:
 * 1. List this deployment's running sessions at Gameye one location at a time into a compact
 *    view (location-lists.ts, live-view.ts), each list only while time is left.
 * 2. Read the active records' entries (only the attributes the policy decides on) from the
 *    sparse index, one query per shard and per MB of records, never a scan, page by page: each
 *    record is decided as its page arrives and dropped unless the run must come back to it
 *    (triage.ts). Records in a location not listed yet are kept until it is; records the lists
 *    cannot vouch for (their location's list failed included) are described, at most 200 a run
 *    (describe-unclear.ts), never judged gone on a guess; a location a describe reports that no
 *    list named is then listed by that name.
 * 3. Listed sessions no record claimed, older than `orphanGraceMs`, are described (up to
 *    another 200) and get an ENDING record of their own (orphans.ts).
 * 4. Act (act-on-decision.ts): a record is read whole, strongly consistent, first, and left to
 *    the next run if it changed since the index was read. A stop first writes ENDING with its
 *    reason, so a crash after the stop still archives. What ends a session goes first.
 * 5. Stop every ENDING record's session, oldest first (16 at a time); then write player
 *    tracking (only where it changed); then archive the stopped sessions, 4 at a time, while
 *    the Lambda has time left (finish-ending.ts).
 *
 * Concurrency: the stack gives the reaper a reserved concurrency of 1, so two scheduled runs
 * never overlap. Other writers of the same records: placement (claims, attempts, READY,
 * backfills), the MatchEnded path in the placement function (ENDING and the stop, never the
 * archive) and the operator's `bridge stop` (end-match.ts: ENDING, the stop and the archive).
 * Every write is conditional on the state and version it read, so when both touch the same
 * record, one wins and the other sees StateConflictError and leaves the record alone (the
 * next run reads it afresh). Two concurrent finishers could at worst upload the same key
 * twice, which replaces the object with a fresh copy under the same key.
 */

import type { LiveSession } from '../ports.ts';
import type { SessionRecord } from '../session-record.ts';
import type { StopReason } from '../stop-reasons.ts';
import { type ActOutcome, actOn, readCurrent } from './act-on-decision.ts';
import { runBounded } from './bounded-pool.ts';
import { describeUnclear } from './describe-unclear.ts';
import { finishEnding, stopEnding } from './finish-ending.ts';
import { type LiveStatus, mayBeRunning } from './lifecycle-policy.ts';
import { LiveView } from './live-view.ts';
import { knownLocations, LocationLists } from './location-lists.ts';
import { claimOrphan, findOrphans } from './orphans.ts';
import { observerOf, type ReaperDeps } from './reaper-context.ts';
import { type Act, type Ending, Triage } from './triage.ts';
import { sweepUnreadShard } from './unread-shards.ts';

export interface ReaperOptions {
  /** Lambda's `context.getRemainingTimeInMillis`; absent means no limit. */
  readonly remainingTimeMs?: () => number;
  /** No new step starts with less than this left. @default REAPER_RESERVE_MS */
  readonly reserveMs?: number;
  /** Sessions archived at once (all are stopped first, 16 at a time). @default 4 */
  readonly concurrency?: number;
}

export interface ReaperRunResult {
  readonly active: number;
  readonly listed: number;
  /** Records whose player tracking was written. */
  readonly tracked: number;
  /** Records moved to ENDING this run, by reason (orphans included). */
  readonly stopping: Readonly<Partial<Record<StopReason, number>>>;
  /** Orphans claimed, and sessions stopped again whose orphan record had ended. */
  readonly orphans: number;
  /** PLACING records failed as abandoned. */
  readonly abandoned: number;
  /** Sessions that reached ENDED this run. */
  readonly ended: number;
  /** ENDING records left for a later run (time, or a transient failure). */
  readonly pending: number;
  /** Records moved out of a shard the index is no longer read over (`unread-shards.ts`). */
  readonly moved: number;
  /**
   * How long ago the oldest session whose archive this run left unfinished was stopped, in ms
   * at the run's start (0 when every stopped session was archived).
   */
  readonly archiveBacklogMs: number;
  /** Whether the run stopped early for lack of time. */
  readonly outOfTime: boolean;
}

/**
 * Kept back from the Lambda's remaining time: no step starts with less. A step is one Gameye
 * call (its retries and their backoff included) and a write, so the handler gives each Gameye
 * call a timeout that fits this reserve whole (reaper-handler.ts).
 */
export const REAPER_RESERVE_MS = 20_000;

/** Conditional writes (player tracking, ENDING, orphan claims) in flight at once. */
const WRITE_WIDTH = 16;

/** An ENDING record to finish: from the index (read whole first), or made ENDING this run. */
type ToFinish = Ending | { readonly record: SessionRecord; readonly live: LiveStatus | undefined };

/**
 * One scheduled run. Throws only when the index or every Gameye list cannot be read; any single
 * session's trouble (a failed describe, stop or upload, one location's list) is deferred to a
 * later run.
 */
export async function runReaper(deps: ReaperDeps, options: ReaperOptions = {}): Promise<ReaperRunResult> {
  const observer = observerOf(deps);
  const reserve = options.reserveMs ?? REAPER_RESERVE_MS;
  const hasTime = (): boolean => !options.remainingTimeMs || options.remainingTimeMs() > reserve;
  // A download still streaming at half the reserve is cut off: the other half covers the wait
  // for its next chunk (at most one call's idle timeout), the upload's abort and one write.
  const pastDeadline = (): boolean =>
    options.remainingTimeMs !== undefined && options.remainingTimeMs() <= reserve / 2;
  const now = deps.clock.now();

  // 1. Gameye first, location by location, into a compact view.
  const view = new LiveView();
  const lists = new LocationLists(deps, view);
  let outOfTime = !(await lists.list(await knownLocations(deps, hasTime), hasTime));

  // 2. The index, page by page; then the locations it named that were not listed yet.
  const triage = new Triage(deps.config, view, lists, now);
  await deps.index.readActive((entries) => triage.page(entries));
  if (triage.late.length > 0) {
    if (!(await lists.list(new Set(triage.late.map((e) => e.region as string)), hasTime))) outOfTime = true;
    for (const entry of triage.late.splice(0)) triage.sort(entry);
  }
  lists.assertSomeListed();

  // What the lists cannot vouch for is described (bounded), a sample of suspect locations first:
  // a location whose list showed none of many records' sessions may go by another name at Gameye.
  const suspect = triage.suspectLocations();
  const samples = triage.suspectSamples(suspect);
  const { described, whole } = await describeUnclear(triage.unclear, view, deps, now, hasTime, samples);
  for (const entry of described) triage.decide(entry, view.claim(entry.sessionId));
  // A described session still running in a location no list named: Gameye reports (and may
  // filter on) other location names than placement used. Those locations are listed by the names
  // Gameye gave, one at a time (a failure is reported and its records wait), then the records
  // their lists vouch for are decided.
  const reported = new Set<string>();
  for (const live of whole.values()) {
    if (isRunning(live) && !lists.listed(live.location) && !lists.failed(live.location))
      reported.add(live.location);
  }
  if (reported.size > 0) {
    observer.locationsUnlisted?.([...reported].sort());
    if (!(await lists.list([...reported].sort(), hasTime))) outOfTime = true;
    const done = new Set(described);
    for (const entry of triage.unclear.splice(0)) if (!done.has(entry)) triage.sort(entry);
  }

  // 3. Orphans: listed with our label, no active record, older than any placement retry.
  const orphanSessions = await findOrphans(view, deps, now, hasTime);

  // 4. Act: cheap conditional writes, a few at a time, while there is time. What ends a session
  // (a stop, an abandoned placement, an orphan) goes first; player tracking waits until every
  // session this run ends is stopped (step 5), so a burst of tracking writes never keeps a
  // server running.
  let tracked = 0;
  let abandoned = 0;
  let orphans = 0;
  const stopping: Partial<Record<StopReason, number>> = {};
  const toFinish: ToFinish[] = [...triage.ending];
  const count = (outcome: ActOutcome): void => {
    if (outcome.kind === 'tracked') tracked += 1;
    else if (outcome.kind === 'abandoned') abandoned += 1;
    else if (outcome.kind === 'stopping') {
      stopping[outcome.reason] = (stopping[outcome.reason] ?? 0) + 1;
      toFinish.push({ record: outcome.record, live: outcome.live });
    }
  };
  const job = (act: Act) => async () => count(await actOn(act, deps, now, whole));
  const ending = triage.acts.filter((act) => act.decision.kind !== 'track').map(job);
  const tracking = triage.acts.filter((act) => act.decision.kind === 'track').map(job);
  for (const live of orphanSessions) {
    ending.push(async () => {
      const claim = await claimOrphan(live, deps, now);
      if (claim.kind === 'left') return;
      orphans += 1;
      if (claim.kind === 'stopped-again') return;
      observer.orphan(live);
      count({ kind: 'stopping', reason: 'orphan', record: claim.record, live });
    });
  }
  if (!(await runBounded(ending, WRITE_WIDTH, hasTime))) outOfTime = true;

  // 5. Finish ENDING records, oldest first, so a backlog drains in order across runs. Every
  // session is stopped first, many at a time (one call and one write each), then player
  // tracking is written, and only then are the stopped sessions archived a few at a time (each
  // streams its files): a backlog of archives never keeps a server running, nor delays the
  // tracking the idle rule needs.
  let ended = 0;
  const updatedAt = (f: ToFinish): string => ('entry' in f ? f.entry : f.record).updatedAt;
  toFinish.sort((a, b) => updatedAt(a).localeCompare(updatedAt(b)));
  const stopped: (SessionRecord | undefined)[] = [];
  const stops = toFinish.map((item, i) => async () => {
    const record = 'record' in item ? item.record : await readCurrent(item.entry, 'finish', deps);
    if (!record) return;
    const out = await stopEnding(record, item.live, deps, hasTime);
    if (out === 'paused') outOfTime = true;
    else if (out !== 'deferred') stopped[i] = out;
  });
  if (!(await runBounded(stops, WRITE_WIDTH, hasTime))) outOfTime = true;
  if (!(await runBounded(tracking, WRITE_WIDTH, hasTime))) outOfTime = true;
  const finished = new Set<number>();
  const archives = stopped.flatMap((record, i) =>
    record === undefined
      ? []
      : [
          async () => {
            const out = await finishEnding(record, undefined, deps, hasTime, pastDeadline);
            if (out === 'ended') {
              ended += 1;
              finished.add(i);
            }
            if (out === 'paused') outOfTime = true;
          },
        ],
  );
  if (!(await runBounded(archives, options.concurrency ?? 4, hasTime))) outOfTime = true;

  let archiveBacklogMs = 0;
  toFinish.forEach((item, i) => {
    if (finished.has(i)) return;
    const { stoppedAt } = stopped[i] ?? ('entry' in item ? item.entry : item.record);
    if (stoppedAt !== undefined) archiveBacklogMs = Math.max(archiveBacklogMs, now - Date.parse(stoppedAt));
  });

  // 6. One shard the index is no longer read over (`activeShards` was lowered): what it holds
  // moves into a read shard, for the next run to decide.
  const moved = await sweepUnreadShard(deps, now, hasTime);

  return {
    active: triage.read,
    listed: view.listed,
    tracked,
    stopping,
    orphans,
    abandoned,
    ended,
    pending: toFinish.length - ended,
    moved,
    archiveBacklogMs,
    outOfTime,
  };
}

function isRunning(live: LiveSession | undefined): boolean {
  return live?.liveness !== undefined && mayBeRunning(live.liveness);
}
