/**
 * The reaper's Gameye port over our Gameye client: the deployment's sessions listed (in one
 * location, or all), the locations offered for an image, stop with 404/409 as "already gone",
 * artifacts and logs as streams with 404 as "missing". Every `GameyeError` becomes the core's
 * `GameyeCallError`, keeping the client's verdict.
 */
import type { Readable } from 'node:stream';
import type { LifecycleGameyePort, LiveSession } from '../core/ports.ts';
import { type GameyeClient, GameyeError, type Session, type SessionSummary } from '../gameye/index.ts';
import {
  type Absorb,
  callGameye,
  goneAsAlreadyGone,
  notFoundAsUndefined,
  toCallError,
} from './gameye-call.ts';
import { livenessOf } from './gameye-liveness.ts';
import { portsOf } from './gameye-port.ts';

export interface GameyeLifecycleAdapterProps {
  readonly client: GameyeClient;
  /** Per call (and per idle gap of a stream). */
  readonly timeoutMs?: number | undefined;
  readonly onError?: ((error: GameyeError) => void) | undefined;
}

/** The label the bridge puts on every session it starts (placement.ts `resolvePlan`). */
export const DEPLOYMENT_LABEL = 'bridge-deployment';

export class GameyeLifecycleAdapter implements LifecycleGameyePort {
  readonly #client: GameyeClient;
  readonly #options: { timeoutMs?: number };
  readonly #onError: ((error: GameyeError) => void) | undefined;

  constructor(props: GameyeLifecycleAdapterProps) {
    this.#client = props.client;
    this.#options = props.timeoutMs === undefined ? {} : { timeoutMs: props.timeoutMs };
    this.#onError = props.onError;
  }

  async listDeploymentSessions(deploymentId: string, location?: string): Promise<readonly LiveSession[]> {
    const sessions = await this.#call(() =>
      // Active sessions only: with `all`, every session the deployment ever ran would come
      // back on every run. Records whose session is not listed are described one by one.
      this.#client.listSessions(
        { filter: { [DEPLOYMENT_LABEL]: deploymentId }, ...(location === undefined ? {} : { location }) },
        this.#options,
      ),
    );
    return sessions.map((s) => liveOf(s, s.playerCount));
  }

  async availableLocations(image: string): Promise<readonly string[]> {
    const locations = await this.#call(() => this.#client.availableLocations(image, this.#options));
    return locations.map((l) => l.id);
  }

  async describeSession(sessionId: string): Promise<LiveSession | undefined> {
    const s = await this.#call(
      () => this.#client.describeSession(sessionId, this.#options),
      notFoundAsUndefined,
    );
    return s === undefined ? undefined : liveOf(s, s.players.joinedCount);
  }

  async stopSession(sessionId: string): Promise<'stopped' | 'already-gone'> {
    return this.#call(async () => {
      await this.#client.stopSession(sessionId, this.#options);
      return 'stopped' as const;
    }, goneAsAlreadyGone);
  }

  async artifact(sessionId: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const stream = await this.#call(
      () => this.#client.artifact(sessionId, path, this.#options),
      notFoundAsUndefined,
    );
    return stream === undefined ? undefined : mapStreamErrors(stream);
  }

  async logs(sessionId: string): Promise<AsyncIterable<string> | undefined> {
    // The client's logs() is lazy; pull the first line here so a 404 is answered now.
    const iterator = this.#client.logs(sessionId, this.#options)[Symbol.asyncIterator]();
    const first = await this.#call(() => iterator.next(), notFoundAsUndefined);
    if (first === undefined) return undefined;
    const call = <T>(fn: () => Promise<T>): Promise<T> => this.#call(fn);
    return {
      async *[Symbol.asyncIterator]() {
        if (first.done) return;
        yield first.value;
        for (;;) {
          const next = await call(() => iterator.next());
          if (next.done) return;
          yield next.value;
        }
      },
    };
  }

  #call<T, A = never>(fn: () => Promise<T>, absorb?: Absorb<A>): Promise<T | A> {
    return callGameye<T | A>(fn, this.#onError, absorb);
  }
}

/** Mid-stream failures surface as GameyeCallError too, so the core sees one error type. */
async function* mapStreamErrors(stream: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (err) {
    throw err instanceof GameyeError ? toCallError(err) : err;
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

/** A listed or described session in the core's terms (list and describe name players differently). */
function liveOf(s: Session | SessionSummary, playerCount: number | undefined): LiveSession {
  return {
    id: s.id,
    liveness: s.status === undefined ? undefined : livenessOf(s.status),
    playerCount,
    created: s.created,
    location: s.location,
    host: s.host,
    image: s.image,
    ports: portsOf(s.port),
    labels: s.userLabels,
  };
}
