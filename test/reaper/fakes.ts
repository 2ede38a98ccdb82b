/**
 * In-memory fakes for the reaper core: a store that is also the active index, a Gameye with
 * sessions, artifacts and logs and scriptable failures, and an archive that hashes what it
 * keeps. No network.
 */
import { createHash } from 'node:crypto';
import { ActiveEntry, type ActiveIndex } from '../../lambdas/core/active-entry.ts';
import { AlreadyClaimedError, GameyeCallError, StateConflictError } from '../../lambdas/core/errors.ts';
import type {
  ActiveSessionIndex,
  ArchiveStore,
  LifecycleGameyePort,
  LiveSession,
  SessionStore,
  StoredObject,
} from '../../lambdas/core/ports.ts';
import type { ReaperGameyePort } from '../../lambdas/core/reaper-context.ts';
import { canTransition, SessionRecord, type SessionState } from '../../lambdas/core/session-record.ts';

export class FakeRecords implements SessionStore, ActiveSessionIndex {
  readonly items = new Map<string, SessionRecord>();
  writes = 0;
  /** Runs before each transition; throw to simulate a race or an outage. */
  beforeTransition: (next: SessionRecord) => void = () => {};

  seed(record: SessionRecord): void {
    this.items.set(record.matchId, SessionRecord.parse(structuredClone(record)));
  }

  peek(matchId: string): SessionRecord {
    const r = this.items.get(matchId);
    if (!r) throw new Error(`no record ${matchId}`);
    return structuredClone(r);
  }

  async listActive(): Promise<SessionRecord[]> {
    return [...this.items.values()].filter((r) => r.activeShard !== undefined).map((r) => structuredClone(r));
  }

  async get(matchId: string): Promise<SessionRecord | undefined> {
    const r = this.items.get(matchId);
    return r && structuredClone(r);
  }

  async claim(record: SessionRecord): Promise<void> {
    if (this.items.has(record.matchId)) throw new AlreadyClaimedError(`${record.matchId} exists`);
    this.writes += 1;
    this.items.set(record.matchId, SessionRecord.parse(structuredClone(record)));
  }

  async transition(next: SessionRecord, expected: { state: SessionState; version: number }): Promise<void> {
    this.beforeTransition(next);
    const current = this.items.get(next.matchId);
    if (!current || current.state !== expected.state || current.version !== expected.version) {
      throw new StateConflictError(`conflict on ${next.matchId}`);
    }
    if (!canTransition(current.state, next.state))
      throw new TypeError(`illegal ${current.state} → ${next.state}`);
    this.writes += 1;
    this.items.set(next.matchId, SessionRecord.parse(structuredClone(next)));
  }
}

export function callError(status: number): GameyeCallError {
  return new GameyeCallError({
    status,
    message: `status ${status}`,
    retryable: status === 0 || status >= 500,
    identifier: `gid-${status}`,
  });
}

type FailingOp = 'stop' | 'artifact' | 'logs' | 'list' | 'describe';

export class FakeLifecycleGameye implements LifecycleGameyePort {
  readonly sessions = new Map<string, LiveSession>();
  /** Artifact bytes by `sessionId path`; absent means 404. */
  readonly artifacts = new Map<string, Buffer>();
  readonly calls = { list: 0, describe: 0, stop: 0, artifact: 0, logs: 0 };
  /** Sessions the labelled list does not show (a warm-pool container carries no labels). */
  readonly unlabelled = new Set<string>();
  readonly stopped: string[] = [];
  readonly #failures: { op: FailingOp; error: GameyeCallError }[] = [];

  failNext(op: FailingOp, error: GameyeCallError): void {
    this.#failures.push({ op, error });
  }

  #fail(op: FailingOp): void {
    const i = this.#failures.findIndex((f) => f.op === op);
    if (i < 0) return;
    const [f] = this.#failures.splice(i, 1);
    if (f) throw f.error;
  }

  add(session: Partial<LiveSession> & { id: string }): void {
    this.sessions.set(session.id, {
      status: 'running',
      playerCount: 0,
      created: 0,
      location: 'eu-west-1',
      host: '10.0.0.1',
      image: 'arena-server',
      ports: [{ protocol: 'udp', container: 7777, host: 24011 }],
      labels: {},
      ...session,
    });
  }

  /** As Gameye lists: running sessions only, and only those carrying the deployment label. */
  async listDeploymentSessions(): Promise<readonly LiveSession[]> {
    this.calls.list += 1;
    this.#fail('list');
    return [...this.sessions.values()].filter(
      (s) => !this.unlabelled.has(s.id) && s.status !== 'exited' && s.status !== 'dead',
    );
  }

  async describeSession(sessionId: string): Promise<LiveSession | undefined> {
    this.calls.describe += 1;
    this.#fail('describe');
    return this.sessions.get(sessionId);
  }

  async stopSession(sessionId: string): Promise<'stopped' | 'already-gone'> {
    this.calls.stop += 1;
    this.#fail('stop');
    const s = this.sessions.get(sessionId);
    if (!s || s.status === 'exited') return 'already-gone';
    this.sessions.set(sessionId, { ...s, status: 'exited' });
    this.stopped.push(sessionId);
    return 'stopped';
  }

  async artifact(sessionId: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.calls.artifact += 1;
    this.#fail('artifact');
    const bytes = this.artifacts.get(`${sessionId} ${path}`);
    if (!bytes) return undefined;
    return (async function* () {
      yield bytes.subarray(0, 3);
      yield bytes.subarray(3);
    })();
  }

  async logs(sessionId: string): Promise<AsyncIterable<string> | undefined> {
    this.calls.logs += 1;
    this.#fail('logs');
    if (!this.sessions.has(sessionId)) return undefined;
    return (async function* () {
      yield `session ${sessionId} starting`;
      yield 'bye';
    })();
  }
}

export class FakeArchive implements ArchiveStore {
  readonly objects = new Map<string, Buffer>();
  /** Every upload, in order (a key twice means the same object was written twice). */
  readonly uploads: string[] = [];

  async upload(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { contentType: string; gzip?: boolean },
  ): Promise<StoredObject> {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    let bytes = Buffer.concat(chunks);
    if (options.gzip) bytes = (await import('node:zlib')).gzipSync(bytes);
    this.objects.set(key, bytes);
    this.uploads.push(key);
    return { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
}

/**
 * The active index as DynamoDB gives it to the reaper: each record cut down to its
 * {@link ActiveEntry}, so a core that read any other attribute from it would fail its tests.
 */
export function projectedIndex(records: FakeRecords): ActiveIndex {
  const listActive = async () => (await records.listActive()).map((r) => ActiveEntry.parse(r));
  return {
    listActive,
    async readActive(onPage) {
      // Pages of three, so a core that kept only the last page would miss records.
      const entries = await listActive();
      for (let i = 0; i < entries.length; i += 3) onPage(entries.slice(i, i + 3));
    },
  };
}

/**
 * A Gameye that also lists by location and offers locations for an image. `ignoresLocation`
 * plays a Gameye whose location filter matches none of the names placement used.
 */
export class LocatedFakeGameye extends FakeLifecycleGameye implements ReaperGameyePort {
  /** The location of every list call, in order (undefined: every location). */
  readonly lists: (string | undefined)[] = [];
  /** What `availableLocations` answers, per image. */
  readonly offered = new Map<string, string[]>();
  /** Locations whose list fails (503). */
  readonly failing = new Set<string>();
  ignoresLocation = false;

  override async listDeploymentSessions(
    _deploymentId?: string,
    location?: string,
  ): Promise<readonly LiveSession[]> {
    this.lists.push(location);
    if (location !== undefined && this.failing.has(location)) throw callError(503);
    const all = await super.listDeploymentSessions();
    if (location === undefined) return all;
    return this.ignoresLocation ? [] : all.filter((s) => s.location === location);
  }

  async availableLocations(image: string): Promise<readonly string[]> {
    return this.offered.get(image) ?? [];
  }
}
