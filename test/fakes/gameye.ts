/**
 * A fake GameyePort with Gameye's idempotency rule (a second POST with the same id is 409,
 * whatever the location), scriptable answers per location, injectable crashes, and call counts.
 */
import { GameyeCallError, type GameyeFailure } from '../../lambdas/core/errors.ts';
import type {
  DescribedSession,
  GameyePort,
  StartedSession,
  StartSessionRequest,
} from '../../lambdas/core/ports.ts';

/** A failed Gameye call as the adapter reports it, with a recognisable correlation id. */
export function gameyeError(kind: GameyeFailure, code = kind.toUpperCase()): GameyeCallError {
  return new GameyeCallError({ kind, code, identifier: `gid-${kind}-${code}`, message: `Gameye: ${kind}` });
}

/**
 * A scripted answer to one `POST /session` in a location. `created-then-timeout`: Gameye starts
 * the session but the answer never arrives (the worst crash for idempotency).
 */
export type ScriptedStart = GameyeCallError | 'created-then-timeout';

export interface FakeSession {
  readonly request: StartSessionRequest;
  status: string;
}

type FailingMethod = 'availableLocations' | 'tagExists' | 'describeSession' | 'stopSession';

export class FakeGameye implements GameyePort {
  readonly calls = {
    availableLocations: 0,
    tagExists: 0,
    startSession: 0,
    describeSession: 0,
    stopSession: 0,
  };
  readonly sessions = new Map<string, FakeSession>();
  /** Every POST, in order. */
  readonly starts: StartSessionRequest[] = [];
  readonly #available: Map<string, readonly string[]>;
  readonly #tags: Set<string>;
  readonly #scripts = new Map<string, ScriptedStart[]>();
  readonly #failures = new Map<FailingMethod, GameyeCallError[]>();
  /** Runs at every POST, e.g. to let a manual clock move as a slow call would. */
  onStart: (request: StartSessionRequest) => void = () => {};

  constructor(props: { available: Record<string, readonly string[]>; tags?: readonly string[] }) {
    this.#available = new Map(Object.entries(props.available));
    this.#tags = new Set(props.tags ?? []);
  }

  /** Queue answers for the next POSTs to `location`; afterwards it behaves normally. */
  script(location: string, ...answers: ScriptedStart[]): this {
    this.#scripts.set(location, [...(this.#scripts.get(location) ?? []), ...answers]);
    return this;
  }

  failNext(method: FailingMethod, error: GameyeCallError): this {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), error]);
    return this;
  }

  setAvailable(image: string, locations: readonly string[]): void {
    this.#available.set(image, locations);
  }

  #failure(method: FailingMethod): void {
    const error = this.#failures.get(method)?.shift();
    if (error) throw error;
  }

  async availableLocations(image: string): Promise<readonly string[]> {
    this.calls.availableLocations += 1;
    this.#failure('availableLocations');
    const locations = this.#available.get(image);
    if (!locations) throw gameyeError('unknown-image-or-location', 'IMAGE_NOT_FOUND');
    return [...locations];
  }

  async tagExists(region: string, image: string, version: string): Promise<boolean> {
    this.calls.tagExists += 1;
    this.#failure('tagExists');
    return this.#tags.has(`${region}/${image}/${version}`);
  }

  async startSession(request: StartSessionRequest): Promise<StartedSession> {
    this.calls.startSession += 1;
    this.starts.push(structuredClone(request));
    this.onStart(request);
    const scripted = this.#scripts.get(request.location)?.shift();
    if (scripted instanceof GameyeCallError) throw scripted;
    if (this.sessions.has(request.id)) throw gameyeError('session-exists');
    this.sessions.set(request.id, { request: structuredClone(request), status: 'running' });
    if (scripted === 'created-then-timeout') throw gameyeError('unavailable', 'TIMEOUT');
    return { host: hostOf(request.location), ports: [{ protocol: 'udp', container: 7777, host: 24011 }] };
  }

  async describeSession(sessionId: string): Promise<DescribedSession | undefined> {
    this.calls.describeSession += 1;
    this.#failure('describeSession');
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    return {
      id: sessionId,
      location: session.request.location,
      host: hostOf(session.request.location),
      ports: [{ protocol: 'udp', container: 7777, host: 24011 }],
      liveness: session.status === 'exited' || session.status === 'dead' ? 'ended' : 'serving',
      status: session.status,
    };
  }

  async stopSession(sessionId: string): Promise<'stopped' | 'already-gone'> {
    this.calls.stopSession += 1;
    this.#failure('stopSession');
    const session = this.sessions.get(sessionId);
    if (!session || session.status === 'exited') return 'already-gone';
    session.status = 'exited';
    return 'stopped';
  }
}

export function hostOf(location: string): string {
  return `${location}.hosts.test`;
}
