/**
 * The reaper's scheduled run: stops the sessions that outlived their purpose and archives their
 * artifacts and logs (the invariants "no session outlives its purpose" and "no archive is
 * silently dropped"). It also finishes the archive of every match MatchEnded stopped
 * (match-ended.ts).
 *
 * One run:
 * 1. Read every active record from the sparse index (a few queries, never a scan) and list
 *    this deployment's sessions at Gameye in one filtered call; describe the sessions the list
 *    cannot vouch for (describe-unclear.ts).
 * 2. Decide per record (lifecycle-policy.ts). Player tracking is written only when it changed;
 *    a stop first writes ENDING with its reason, so a crash after the stop still archives.
 * 3. Labelled sessions with no active record, older than `orphanGraceMs`, get an ENDING
 *    record of their own (orphans.ts).
 * 4. Finish ENDING records, a few at a time, oldest first, while the Lambda has time left
 *    (finish-ending.ts).
 *
 * Concurrency: the stack gives the reaper a reserved concurrency of 1, so two scheduled runs
 * never overlap; the only other writer is the MatchEnded path in the placement function
 * (ENDING and the stop, never the archive).
 * Every write is conditional on the state and version it read, so when both touch the same
 * record, one wins and the other sees StateConflictError and leaves the record alone (the
 * next run reads it afresh). Two concurrent finishers could at worst upload the same key
 * twice, which replaces the object with identical bytes.
 */
import { runBounded } from './bounded-pool.ts';
import { describeUnclear } from './describe-unclear.ts';
import { sessionFailedOf } from './events.ts';
import { finishEnding } from './finish-ending.ts';
import { decide, isOrphan } from './lifecycle-policy.ts';
import { claimOrphan } from './orphans.ts';
import type { LiveSession } from './ports.ts';
import { observerOf, profileOf, type ReaperDeps, type ReaperObserver } from './reaper-context.ts';
import { type SessionRecord, toEnding, toFailed, withPlayerTracking } from './session-record.ts';
import type { StopReason } from './stop-reasons.ts';

export interface ReaperOptions {
  /** Lambda's `context.getRemainingTimeInMillis`; absent means no limit. */
  readonly remainingTimeMs?: () => number;
  /** No new step starts with less than this left. @default 10000 */
  readonly reserveMs?: number;
  /** Sessions finished (stopped and archived) at once. @default 4 */
  readonly concurrency?: number;
}

export interface ReaperRunResult {
  readonly active: number;
  readonly listed: number;
  /** Records whose player tracking was written. */
  readonly tracked: number;
  /** Records moved to ENDING this run, by reason (orphans included). */
  readonly stopping: Readonly<Partial<Record<StopReason, number>>>;
  readonly orphans: number;
  /** PLACING records failed as abandoned. */
  readonly abandoned: number;
  /** Sessions that reached ENDED this run. */
  readonly ended: number;
  /** ENDING records left for a later run (time, or a transient failure). */
  readonly pending: number;
  /** Whether the run stopped early for lack of time. */
  readonly outOfTime: boolean;
}

/** Conditional writes (player tracking, ENDING, orphan claims) in flight at once. */
const WRITE_WIDTH = 16;

/**
 * One scheduled run. Throws only when the index or Gameye's list cannot be read at all; any
 * single session's trouble (a failed describe, stop or upload) is deferred to a later run.
 */
export async function runReaper(deps: ReaperDeps, options: ReaperOptions = {}): Promise<ReaperRunResult> {
  const { config, clock } = deps;
  const observer = observerOf(deps);
  const reserve = options.reserveMs ?? 10_000;
  const hasTime = (): boolean => !options.remainingTimeMs || options.remainingTimeMs() > reserve;

  const records = await deps.index.listActive();
  const listed = await deps.gameye.listDeploymentSessions(config.deploymentId);
  const liveById = new Map(listed.map((s) => [s.id, s]));
  const now = clock.now();
  const { unknown } = await describeUnclear(records, liveById, deps, now, hasTime);

  let tracked = 0;
  let abandoned = 0;
  let outOfTime = false;
  const stopping: Partial<Record<StopReason, number>> = {};
  const toFinish: { record: SessionRecord; live: LiveSession | undefined }[] = [];
  const activeIds = new Set<string>();
  const quick: (() => Promise<void>)[] = [];

  for (const record of records) {
    activeIds.add(record.sessionId);
    // Not described this run (time, the per-run cap, or a failed call): decide next run.
    if (unknown.has(record.sessionId)) continue;
    const live = liveById.get(record.sessionId);
    const decision = decide({
      record,
      live,
      profile: profileOf(config, record.profile),
      orphanGraceMs: config.orphanGraceMs,
      now,
    });
    switch (decision.kind) {
      case 'keep':
        break;
      case 'finish':
        toFinish.push({ record, live });
        break;
      case 'track':
        quick.push(async () => {
          const next = withPlayerTracking(record, decision, now);
          if (await write(deps, record, next, observer, 'track players')) tracked += 1;
        });
        break;
      case 'stop':
        quick.push(async () => {
          const next = toEnding(record, decision.reason, now);
          if (await write(deps, record, next, observer, 'mark ENDING')) {
            stopping[decision.reason] = (stopping[decision.reason] ?? 0) + 1;
            toFinish.push({ record: next, live });
          }
        });
        break;
      case 'abandon-running':
        quick.push(async () => {
          const l = decision.live;
          const next = toEnding(record, 'placement-abandoned', now, {
            region: l.location,
            host: l.host,
            ports: l.ports,
          });
          if (await write(deps, record, next, observer, 'mark ENDING')) {
            stopping['placement-abandoned'] = (stopping['placement-abandoned'] ?? 0) + 1;
            toFinish.push({ record: next, live: l });
          }
        });
        break;
      case 'abandon-failed':
        quick.push(async () => {
          const failed = toFailed(
            record,
            {
              reason: 'placement-abandoned',
              message: `no session at Gameye ${Math.round(config.orphanGraceMs / 60_000)} min after the claim: every placement retry was spent`,
            },
            undefined,
            now,
            config.retentionDays,
          );
          if (!(await write(deps, record, failed, observer, 'fail abandoned placement'))) return;
          abandoned += 1;
          try {
            await deps.publisher.publish(sessionFailedOf(failed));
          } catch (error) {
            // The record is FAILED either way; the event is informative for a match nobody placed.
            observer.deferred(failed, 'publish SessionFailed', error);
          }
        });
        break;
    }
  }

  // Orphans: running under our label, no active record, older than any placement retry.
  let orphans = 0;
  for (const live of listed) {
    if (!isOrphan(live, activeIds, config.orphanGraceMs, now)) continue;
    quick.push(async () => {
      const record = await claimOrphan(live, deps, now);
      if (!record) return;
      orphans += 1;
      stopping.orphan = (stopping.orphan ?? 0) + 1;
      observer.orphan(live);
      toFinish.push({ record, live });
    });
  }

  // Cheap conditional writes, a few at a time, while there is time.
  outOfTime = !(await runBounded(quick, WRITE_WIDTH, hasTime));

  let ended = 0;
  let pending = 0;
  if (!outOfTime) {
    // Oldest first, so a backlog drains in order across runs.
    toFinish.sort((a, b) => a.record.updatedAt.localeCompare(b.record.updatedAt));
    const jobs = toFinish.map(({ record, live }) => async () => {
      const out = await finishEnding(record, live, deps, hasTime);
      if (out === 'ended') ended += 1;
      else pending += 1;
      if (out === 'paused') outOfTime = true;
    });
    const completed = await runBounded(jobs, options.concurrency ?? 4, hasTime);
    if (!completed) outOfTime = true;
    pending = toFinish.length - ended;
  } else {
    pending = toFinish.length;
  }

  return {
    active: records.length,
    listed: listed.length,
    tracked,
    stopping,
    orphans,
    abandoned,
    ended,
    pending,
    outOfTime,
  };
}

/** A conditional write the reaper may lose to another writer; false (and a note) when it does. */
async function write(
  deps: ReaperDeps,
  from: SessionRecord,
  next: SessionRecord,
  observer: ReaperObserver,
  step: string,
): Promise<boolean> {
  try {
    await deps.store.transition(next, { state: from.state, version: from.version });
    return true;
  } catch (error) {
    // A lost race (StateConflictError) or a failed write alike: the next run reads afresh.
    observer.deferred(from, step, error);
    return false;
  }
}
