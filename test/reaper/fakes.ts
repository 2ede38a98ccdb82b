/**
 * In-memory fakes for the reaper core: a Gameye with sessions, artifacts and logs and
 * scriptable failures, and an archive that hashes what it keeps. No network. The session
 * store and active index is `InMemorySessionStore` (`test/fakes/session-store.ts`).
 */
import { createHash } from 'node:crypto';
import { GameyeCallError, type GameyeFailure } from '../../lambdas/core/errors.ts';
import type {
  ArchiveStore,
  LifecycleGameyePort,
  LiveSession,
  StoredObject,
} from '../../lambdas/core/ports.ts';

/** A failed Gameye call as the adapter reports it: `unavailable` (transient) unless told otherwise. */
export function callError(kind: GameyeFailure = 'unavailable'): GameyeCallError {
  return new GameyeCallError({ kind, message: `Gameye: ${kind}`, identifier: `gid-${kind}` });
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
      liveness: 'serving',
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
    return [...this.sessions.values()].filter((s) => !this.unlabelled.has(s.id) && s.liveness !== 'ended');
  }

  /** Offers no location: the reaper looks for orphans only where its records run. */
  async availableLocations(_image: string): Promise<readonly string[]> {
    return [];
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
    if (!s || s.liveness === 'ended') return 'already-gone';
    this.sessions.set(sessionId, { ...s, liveness: 'ended' });
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
 * A Gameye that also lists by location (filtering on the location each session reports, which
 * may differ from the name placement used) and offers locations for an image.
 */
export class LocatedFakeGameye extends FakeLifecycleGameye {
  /** The location of every list call, in order (undefined: every location). */
  readonly lists: (string | undefined)[] = [];
  /** What `availableLocations` answers, per image. */
  readonly offered = new Map<string, string[]>();
  /** Locations whose list fails (503). */
  readonly failing = new Set<string>();

  override async listDeploymentSessions(
    _deploymentId?: string,
    location?: string,
  ): Promise<readonly LiveSession[]> {
    this.lists.push(location);
    if (location !== undefined && this.failing.has(location)) throw callError('unavailable');
    const all = await super.listDeploymentSessions();
    if (location === undefined) return all;
    return all.filter((s) => s.location === location);
  }

  override async availableLocations(image: string): Promise<readonly string[]> {
    return this.offered.get(image) ?? [];
  }
}
