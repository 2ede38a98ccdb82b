/**
 * The ending steps of one ENDING record, in order: stop the session, stream each configured
 * artifact and the gzipped logs to S3, write the manifest, publish SessionEnded, then ENDED
 * (out of the index, TTL set). Each step is recorded on the record as it completes, so a later
 * run resumes after the last recorded step; an upload whose record write was lost is redone
 * onto the same deterministic key, replacing the object with a fresh copy, never adding one.
 */

import { ArchiveCutOffError } from '../errors.ts';
import { sessionEndedOf } from '../events.ts';
import {
  type ArchiveProgress,
  orphanRecordKey,
  type SessionRecord,
  toEnded,
  withEndingProgress,
} from '../session-record.ts';
import { archiveLayout, LOGS_PATH, manifestOf } from './archive.ts';
import { type LiveStatus, mayBeRunning } from './lifecycle-policy.ts';
import { observerOf, profileOf, type ReaperDeps } from './reaper-context.ts';

/** `ended`; `paused` for lack of time; `deferred` after a failed step (logged), resumed later. */
export type FinishOutcome = 'ended' | 'paused' | 'deferred';

/**
 * Runs whose deadline cut off the same path's download before it is recorded as missing: a download that never fits a run (an artifact trickling from Gameye) must not keep
 * its record ENDING, and its archive unwritten, for ever.
 */
export const MAX_CUT_OFF_RUNS = 3;

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The first ending step alone: stop the session and record `stoppedAt`. The run stops every
 * session it ends before it archives any (a stopped server costs nothing while its archive
 * waits). Answers the record as stored, or why it is not stopped yet; never throws.
 */
export async function stopEnding(
  record: SessionRecord,
  live: Pick<LiveStatus, 'liveness'> | undefined,
  deps: ReaperDeps,
  hasTime: () => boolean = () => true,
): Promise<SessionRecord | Exclude<FinishOutcome, 'ended'>> {
  if (record.stoppedAt !== undefined) return record;
  if (!hasTime()) return 'paused';
  try {
    // A session Gameye reports ended (exited or dead) needs no DELETE (it would answer 409).
    if (live === undefined || mayBeRunning(live.liveness)) {
      await deps.gameye.stopSession(record.sessionId);
    }
    const next = withEndingProgress(record, { stoppedAt: iso(deps.clock.now()) }, deps.clock.now());
    await deps.store.transition(next, { state: record.state, version: record.version });
    return next;
  } catch (error) {
    observerOf(deps).deferred(record, 'stop', error);
    return 'deferred';
  }
}

/**
 * Stop and archive an ENDING record, resuming after its last recorded step. Never throws for
 * Gameye, S3 or a lost race: the record stays ENDING and the next run (or delivery) resumes.
 *
 * `hasTime` is asked before each step; `pastDeadline` while a download streams, at every chunk
 * (a stalled stream fails on its own, at the client's idle timeout): once it is true the
 * download and its upload are abandoned (no object is left) and the cut-off is recorded, so the
 * run ends in time however slowly Gameye sends. After MAX_CUT_OFF_RUNS such runs the path is
 * recorded as missing and the archive goes on without it.
 */
export async function finishEnding(
  start: SessionRecord,
  live: Pick<LiveStatus, 'liveness'> | undefined,
  deps: ReaperDeps,
  hasTime: () => boolean = () => true,
  pastDeadline: () => boolean = () => false,
): Promise<FinishOutcome> {
  const observer = observerOf(deps);
  const { clock } = deps;
  const layout = archiveLayout(deps.archivePrefix, start);
  const stopped = await stopEnding(start, live, deps, hasTime);
  if (typeof stopped === 'string') return stopped;
  let record = stopped;
  let step = 'archive';
  const save = async (patch: { archive?: ArchiveProgress }): Promise<void> => {
    const next = withEndingProgress(record, patch, clock.now());
    await deps.store.transition(next, { state: record.state, version: record.version });
    record = next;
  };
  try {
    const paths = [...(profileOf(deps.config, record.profile)?.artifactPaths ?? []), LOGS_PATH];
    for (const path of paths) {
      const progress = record.archive ?? { files: [], missing: [] };
      if (progress.files.some((f) => f.path === path) || progress.missing.some((m) => m.path === path))
        continue;
      if (!hasTime()) return 'paused';
      step = `archive ${path}`;
      let cutOff = false;
      const guard = <T>(body: AsyncIterable<T>): AsyncIterable<T> =>
        untilDeadline(body, () => {
          cutOff ||= pastDeadline();
          return cutOff;
        });
      let stored: Stored | undefined;
      try {
        stored =
          path === LOGS_PATH
            ? await archiveLogs(record, layout.logsKey, deps, guard)
            : await archiveArtifact(record, path, layout.artifactKey(path), deps, guard);
      } catch (error) {
        if (!cutOff) throw error;
        const runs = (progress.cutOff?.find((c) => c.path === path)?.runs ?? 0) + 1;
        const others = (progress.cutOff ?? []).filter((c) => c.path !== path);
        if (runs < MAX_CUT_OFF_RUNS) {
          observer.deferred(record, step, error);
          await save({ archive: { ...progress, cutOff: [...others, { path, runs }] } });
          return 'paused';
        }
        observer.missing(record, path);
        const reason = `download exceeded the reaper's time budget in ${runs} runs`;
        await save({
          archive: { ...progress, missing: [...progress.missing, { path, reason }], cutOff: others },
        });
        return 'paused';
      }
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

type Stored = { key: string; size: number; sha256: string };

/** Wraps a download so it can be abandoned between chunks. */
type Guard = <T>(body: AsyncIterable<T>) => AsyncIterable<T>;

async function archiveArtifact(
  record: SessionRecord,
  path: string,
  key: string,
  deps: ReaperDeps,
  guard: Guard,
): Promise<Stored | undefined> {
  const body = await deps.gameye.artifact(record.sessionId, path);
  if (body === undefined) return undefined;
  const stored = await deps.archive.upload(key, guard(body), { contentType: 'application/gzip' });
  return { key: stored.key, size: stored.size, sha256: stored.sha256 };
}

async function archiveLogs(
  record: SessionRecord,
  key: string,
  deps: ReaperDeps,
  guard: Guard,
): Promise<Stored | undefined> {
  const lines = await deps.gameye.logs(record.sessionId);
  if (lines === undefined) return undefined;
  const stored = await deps.archive.upload(key, linesAsBytes(guard(lines)), {
    contentType: 'text/plain; charset=utf-8',
    gzip: true,
  });
  return { key: stored.key, size: stored.size, sha256: stored.sha256 };
}

/**
 * `body`, failing with ArchiveCutOffError at the first chunk that arrives once `stop()` says the
 * run's deadline is near; leaving the loop closes the download.
 */
async function* untilDeadline<T>(body: AsyncIterable<T>, stop: () => boolean): AsyncGenerator<T> {
  for await (const chunk of body) {
    if (stop()) throw new ArchiveCutOffError("download cut off at the reaper run's deadline");
    yield chunk;
  }
}

async function* linesAsBytes(lines: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const line of lines) yield encoder.encode(`${line}\n`);
}

async function* once(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
}
