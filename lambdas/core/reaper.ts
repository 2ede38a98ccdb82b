/**
 * The reaper: stops the sessions that outlived their purpose and archives their artifacts and
 * logs (the invariants "no session outlives its purpose" and "no archive is silently dropped").
 * It also finishes the archive of every match MatchEnded stopped (match-ended.ts).
 *
 * One run:
 * 1. Read every active record from the sparse index (a few queries, never a scan) and list
 *    this deployment's sessions at Gameye in one filtered call.
 * 2. Decide per record (lifecycle-policy.ts). Player tracking is written only when it changed;
 *    a stop first writes ENDING with its reason, so a crash after the stop still archives.
 * 3. Labelled sessions with no active record, older than `orphanGraceMs`, get an ENDING
 *    record of their own (`orphan:<sessionId>`), so they are stopped, archived and resumed
 *    exactly like any other session.
 * 4. Finish ENDING records, a few at a time, while the Lambda has time left: stop (404/409 =
 *    already gone), stream each artifact and the gzipped logs to S3, write the manifest,
 *    publish SessionEnded, then ENDED (out of the index, TTL set). Each step is recorded on
 *    the record as it completes, so the next run resumes after the last completed step and
 *    uploads nothing twice; an upload whose record write was lost is redone onto the same
 *    deterministic key, replacing the object, never adding one.
 *
 * Concurrency: the stack gives the reaper a reserved concurrency of 1, so two scheduled runs
 * never overlap; the only other writer is the MatchEnded path in the placement function
 * (ENDING and the stop, never the archive).
 * Every write is conditional on the state and version it read, so when both touch the same
 * record, one wins and the other sees StateConflictError and leaves the record alone (the
 * next run reads it afresh). Two concurrent finishers could at worst upload the same key
 * twice, which replaces the object with identical bytes.
 */
import { archiveLayout, LOGS_PATH, manifestOf } from './archive.ts';
import type { BridgeConfig, Profile } from './config.ts';
import { GameyeCallError, type MatchEventError } from './errors.ts';
import { sessionEndedOf, sessionFailedOf } from './events.ts';
import { decide, isOrphan, TERMINAL_STATUSES } from './lifecycle-policy.ts';
import { type MatchEndedOutcome, stopEndedMatch } from './match-ended.ts';
import { parseMatchEnded } from './match-event.ts';
import type {
  ActiveSessionIndex,
  ArchiveStore,
  Clock,
  EventPublisher,
  LifecycleGameyePort,
  LiveSession,
  SessionStore,
} from './ports.ts';
import {
  ACTIVE_STATES,
  type ArchiveProgress,
  newOrphanRecord,
  orphanRecordKey,
  type SessionRecord,
  toEnded,
  toEnding,
  toFailed,
  withEndingProgress,
  withPlayerTracking,
} from './session-record.ts';
import type { StopReason } from './stop-reasons.ts';

/** What the handler learns as the reaper works: metrics and log lines live there, not here. */
export interface ReaperObserver {
  /** A session reached ENDED (stopped and archived); `bytes` archived for it. */
  ended(record: SessionRecord, reason: StopReason, bytes: number): void;
  /** A step failed and will be retried by a later run (or was lost to another writer). */
  deferred(record: SessionRecord, step: string, error: unknown): void;
  /** A configured artifact was not at Gameye (404). */
  missing(record: SessionRecord, path: string): void;
  /** An orphan was found and given an ENDING record. */
  orphan(live: LiveSession): void;
}

const silentObserver: ReaperObserver = { ended() {}, deferred() {}, missing() {}, orphan() {} };

export interface ReaperDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly index: ActiveSessionIndex;
  readonly gameye: LifecycleGameyePort;
  readonly archive: ArchiveStore;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  /** Key prefix in the archive bucket (BRIDGE_RESOURCES.archiveBucket.prefix). */
  readonly archivePrefix: string;
  readonly observer?: ReaperObserver;
}

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

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * One scheduled run. Throws only when the index or Gameye's list cannot be read at all; any
 * single session's trouble (a failed describe, stop or upload) is deferred to a later run.
 */
export async function runReaper(deps: ReaperDeps, options: ReaperOptions = {}): Promise<ReaperRunResult> {
  const { config, clock } = deps;
  const observer = deps.observer ?? silentObserver;
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
      // The index was read before the list: a match re-placed in between (a redrive adopting
      // this very session) would look like an orphan. Its own record has the last word.
      const matchId = live.labels['bridge-match-id'];
      if (matchId !== undefined) {
        const owner = await deps.store.get(matchId).catch(() => undefined);
        if (owner && owner.sessionId === live.id && ACTIVE_STATES.has(owner.state)) return;
      }
      const profile = live.labels['bridge-profile'] ?? 'unknown';
      const record = newOrphanRecord({
        sessionId: live.id,
        matchId: live.labels['bridge-match-id'],
        profile,
        image: live.image,
        createdAt: live.created,
        where: { region: live.location, host: live.host, ports: live.ports },
        activeShards: config.activeShards,
        now,
      });
      try {
        await deps.store.claim(record);
      } catch (error) {
        // An orphan record exists already but is not active: that session was handled before.
        observer.deferred(record, 'claim orphan', error);
        return;
      }
      orphans += 1;
      stopping.orphan = (stopping.orphan ?? 0) + 1;
      observer.orphan(live);
      toFinish.push({ record, live });
    });
  }

  // Cheap conditional writes, a few at a time, while there is time.
  outOfTime = !(await pool(quick, 16, hasTime));

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
    const completed = await pool(jobs, options.concurrency ?? 4, hasTime);
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

/** Most sessions described in one run: the rest wait for later runs (see describeUnclear). */
export const MAX_DESCRIBES_PER_RUN = 200;

/**
 * Look closer where the list cannot be trusted to decide: a record whose session the list
 * does not show (a warm-pool container carries no labels; a crashed one is no longer
 * listed), or shows without a player count or status. One describe each, a few at a time;
 * only a 404 means the session is gone. In the common case every session is listed whole
 * and this makes no call at all.
 *
 * Bounded so it can never starve the run: at most MAX_DESCRIBES_PER_RUN, only while time
 * remains, starting at an offset that moves every run so a long tail is covered over several
 * runs. A record left undescribed, or whose describe failed, is returned in `unknown` and
 * kept this run: never judged "gone" on a guess.
 */
async function describeUnclear(
  records: readonly SessionRecord[],
  liveById: Map<string, LiveSession>,
  deps: ReaperDeps,
  now: number,
  hasTime: () => boolean,
): Promise<{ unknown: Set<string>; described: number }> {
  const unclear = records.filter((r) => {
    if (r.state === 'ENDING') return false;
    if (r.state === 'PLACING' && now - Date.parse(r.createdAt) < deps.config.orphanGraceMs) return false;
    const live = liveById.get(r.sessionId);
    return live === undefined || live.status === undefined || live.playerCount === undefined;
  });
  const unknown = new Set(unclear.map((r) => r.sessionId));
  const start = unclear.length === 0 ? 0 : Math.floor(now / 60_000) % unclear.length;
  const rotated = [...unclear.slice(start), ...unclear.slice(0, start)].slice(0, MAX_DESCRIBES_PER_RUN);
  let described = 0;
  const jobs = rotated.map((r) => async () => {
    try {
      const live = await deps.gameye.describeSession(r.sessionId);
      if (live) liveById.set(r.sessionId, live);
      else liveById.delete(r.sessionId);
      unknown.delete(r.sessionId);
      described += 1;
    } catch (error) {
      // One failing describe must not stop the run: this record is kept, the rest go on.
      deps.observer?.deferred(r, 'describe session', error);
    }
  });
  await pool(jobs, 16, hasTime);
  return { unknown, described };
}

export type FinishOutcome = 'ended' | 'paused' | 'deferred';

/**
 * Stop and archive an ENDING record, resuming after its last recorded step. Never throws for
 * Gameye, S3 or a lost race: the record stays ENDING and the next run (or delivery) resumes.
 */
export async function finishEnding(
  start: SessionRecord,
  live: LiveSession | undefined,
  deps: ReaperDeps,
  hasTime: () => boolean = () => true,
): Promise<FinishOutcome> {
  const observer = deps.observer ?? silentObserver;
  const { clock } = deps;
  const layout = archiveLayout(deps.archivePrefix, start);
  let record = start;
  let step = 'stop';
  const save = async (patch: { stoppedAt?: string; archive?: ArchiveProgress }): Promise<void> => {
    const next = withEndingProgress(record, patch, clock.now());
    await deps.store.transition(next, { state: record.state, version: record.version });
    record = next;
  };
  try {
    if (record.stoppedAt === undefined) {
      if (!hasTime()) return 'paused';
      // A session Gameye reports exited or dead needs no DELETE (it would answer 409).
      if (!(live?.status !== undefined && TERMINAL_STATUSES.has(live.status))) {
        await deps.gameye.stopSession(record.sessionId);
      }
      await save({ stoppedAt: iso(clock.now()) });
    }
    const paths = [...(profileOf(deps.config, record.profile)?.artifactPaths ?? []), LOGS_PATH];
    for (const path of paths) {
      const progress = record.archive ?? { files: [], missing: [] };
      if (progress.files.some((f) => f.path === path) || progress.missing.some((m) => m.path === path))
        continue;
      if (!hasTime()) return 'paused';
      step = `archive ${path}`;
      const stored =
        path === LOGS_PATH
          ? await archiveLogs(record, layout.logsKey, deps)
          : await archiveArtifact(record, path, layout.artifactKey(path), deps);
      if (stored === undefined) observer.missing(record, path);
      await save({
        archive:
          stored === undefined
            ? { ...progress, missing: [...progress.missing, { path, reason: 'not found at Gameye (404)' }] }
            : { ...progress, files: [...progress.files, { path, ...stored }] },
      });
    }
    if (record.archive?.manifestKey === undefined) {
      if (!hasTime()) return 'paused';
      step = 'manifest';
      const body = Buffer.from(`${JSON.stringify(manifestOf(record), null, 2)}\n`);
      await deps.archive.upload(layout.manifestKey, once(body), { contentType: 'application/json' });
      await save({ archive: { files: [], missing: [], ...record.archive, manifestKey: layout.manifestKey } });
    }
    step = 'publish SessionEnded';
    // Published while still ENDING: a crash before ENDED publishes again (at least once;
    // subscribers dedupe on sessionId). An orphan's match was never announced: nothing to say.
    if (record.matchId !== orphanRecordKey(record.sessionId)) {
      await deps.publisher.publish(sessionEndedOf(record));
    }
    step = 'mark ENDED';
    const ended = toEnded(record, clock.now(), deps.config.retentionDays);
    await deps.store.transition(ended, { state: record.state, version: record.version });
    const bytes = (ended.archive?.files ?? []).reduce((n, f) => n + f.size, 0);
    observer.ended(ended, ended.endReason ?? 'gone', bytes);
    return 'ended';
  } catch (error) {
    observer.deferred(record, step, error);
    return 'deferred';
  }
}

async function archiveArtifact(
  record: SessionRecord,
  path: string,
  key: string,
  deps: ReaperDeps,
): Promise<{ key: string; size: number; sha256: string } | undefined> {
  const body = await deps.gameye.artifact(record.sessionId, path);
  if (body === undefined) return undefined;
  const stored = await deps.archive.upload(key, body, { contentType: 'application/gzip' });
  return { key: stored.key, size: stored.size, sha256: stored.sha256 };
}

async function archiveLogs(
  record: SessionRecord,
  key: string,
  deps: ReaperDeps,
): Promise<{ key: string; size: number; sha256: string } | undefined> {
  const lines = await deps.gameye.logs(record.sessionId);
  if (lines === undefined) return undefined;
  const stored = await deps.archive.upload(key, linesAsBytes(lines), {
    contentType: 'text/plain; charset=utf-8',
    gzip: true,
  });
  return { key: stored.key, size: stored.size, sha256: stored.sha256 };
}

async function* linesAsBytes(lines: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const line of lines) yield encoder.encode(`${line}\n`);
}

async function* once(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
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

function profileOf(config: Readonly<BridgeConfig>, name: string): Profile | undefined {
  return Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
}

/** Run jobs `width` at a time; a job is started only while `hasTime()`. True when all ran. */
async function pool(
  jobs: readonly (() => Promise<void>)[],
  width: number,
  hasTime: () => boolean,
): Promise<boolean> {
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      if (!hasTime()) {
        stopped = true;
        return;
      }
      const job = jobs[next++];
      if (job) await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return !stopped;
}

/** {@link endMatch}'s answer: MatchEnded's, plus how the archive went when there was one. */
export type EndMatchOutcome =
  | { readonly kind: 'invalid'; readonly error: MatchEventError }
  | Exclude<MatchEndedOutcome, { readonly kind: 'ending' }>
  | (Extract<MatchEndedOutcome, { readonly kind: 'ending' }> & { readonly finished: FinishOutcome });

/**
 * End a match and archive it at once (the operator's `bridge stop`): MatchEnded's stop, then
 * the reaper's archive of the ENDING record. A step that fails leaves the record ENDING, and
 * the reaper's next run resumes it.
 */
export async function endMatch(body: string, deps: ReaperDeps): Promise<EndMatchOutcome> {
  const parsed = parseMatchEnded(body);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const outcome = await stopEndedMatch(parsed.event, deps);
  if (outcome.kind !== 'ending') return outcome;
  return { ...outcome, finished: await finishEnding(outcome.record, undefined, deps) };
}

/** For the handler's logs: Gameye's correlation id of a failure, when it has one. */
export function identifierOf(error: unknown): string | undefined {
  return error instanceof GameyeCallError ? error.identifier : undefined;
}
