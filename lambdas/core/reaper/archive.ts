/**
 * Where a session's archive lives and what its manifest says. Keys are a pure function of the
 * record (creation date, match id, session id, path), so a re-run writes the same keys: an
 * object is replaced, never duplicated.
 *
 * `<prefix>/<yyyy>/<mm>/<dd>/<matchId>/<sessionId>/<path-slug>.tar.gz`, `logs.txt.gz` and
 * `manifest.json` beside them (`orphan-<sessionId>` for an orphan). The date is the record's
 * `createdAt` (UTC): its claim, or its latest re-placement, which happens before any stop.
 */
import { createHash } from 'node:crypto';
import type { ArchivedFile, MissingArtifact, SessionRecord } from '../session-record.ts';
import type { StopReason } from '../stop-reasons.ts';

/** The `path` under which the server's logs appear in the record and the manifest. */
export const LOGS_PATH = 'logs';

/** A container path as a file name: `/home/gameserver/logs` → `home-gameserver-logs`. */
export function pathSlug(path: string): string {
  const slug = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '');
  // Two paths may slug alike (`/a/b`, `/a-b`): a short hash of the exact path keeps them apart.
  const tag = createHash('sha256').update(path).digest('hex').slice(0, 8);
  return slug === '' ? `root-${tag}` : `${slug}-${tag}`;
}

export interface ArchiveLayout {
  readonly folder: string;
  artifactKey(path: string): string;
  readonly logsKey: string;
  readonly manifestKey: string;
}

export function archiveLayout(prefix: string, record: SessionRecord): ArchiveLayout {
  const d = new Date(record.createdAt);
  const yyyy = String(d.getUTCFullYear());
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const match = record.orphanOf ?? record.matchId;
  // An orphan's archive gets a folder of its own: its match may have been archived already
  // (a session still running after its record ENDED), and that archive must not be replaced.
  const session = record.orphanOf === undefined ? record.sessionId : `orphan-${record.sessionId}`;
  const folder = [prefix, yyyy, mm, dd, encodeSegment(match), session].filter(Boolean).join('/');
  return {
    folder,
    artifactKey: (path) => `${folder}/${pathSlug(path)}.tar.gz`,
    logsKey: `${folder}/logs.txt.gz`,
    manifestKey: `${folder}/manifest.json`,
  };
}

/** Match ids are already key-safe (match-event.ts); this keeps a stray `/` from adding a level. */
function encodeSegment(value: string): string {
  return value.replaceAll('/', '%2F');
}

export interface Manifest {
  readonly version: 1;
  readonly matchId: string;
  readonly sessionId: string;
  readonly region: string | null;
  readonly reason: StopReason | null;
  readonly stoppedAt: string | null;
  readonly files: readonly ArchivedFile[];
  readonly missing: readonly MissingArtifact[];
}

export function manifestOf(record: SessionRecord): Manifest {
  return {
    version: 1,
    matchId: record.orphanOf ?? record.matchId,
    sessionId: record.sessionId,
    region: record.region ?? null,
    reason: record.endReason ?? null,
    stoppedAt: record.stoppedAt ?? null,
    files: record.archive?.files ?? [],
    missing: record.archive?.missing ?? [],
  };
}
