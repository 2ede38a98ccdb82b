/**
 * The placement core's GameyePort over our Gameye client. Translates wire shapes into core
 * shapes and every `GameyeError` into the core's `GameyeCallError` (gameye-call.ts says what
 * each answer means).
 */
import type { DescribedSession, GameyePort, StartedSession, StartSessionRequest } from '../core/ports.ts';
import type { ServerPort } from '../core/session-record.ts';
import type { CallOptions, GameyeClient, GameyeError, RetryPolicy } from '../gameye/index.ts';
import { type Absorb, callGameye, goneAsAlreadyGone, notFoundAsUndefined } from './gameye-call.ts';
import { livenessOf } from './gameye-liveness.ts';

/**
 * Retries inside one placement step, for quick server-side failures only (5xx, 429, a reset
 * socket). Not 420: placement answers a full region by moving to the next one, not by asking
 * again. Not timeouts: one already used the step's time budget; SQS redelivery takes over.
 * POST /session is safe to repeat because placement always sends its own session id.
 */
export const PLACEMENT_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

/** Which retryable failures placement retries in place (see {@link PLACEMENT_RETRIES}). */
export const placementRetryIf = (error: GameyeError): boolean =>
  error.status !== 420 && error.code !== 'TIMEOUT';

/**
 * How a start is tried: a short timeout per attempt, then the same start again. A start
 * carries our own session id, so repeating one is safe: if an attempt that timed out did
 * start the session, the repeat answers "exists already" and placement adopts it. Gameye
 * starts a session in about half a second, so waiting out a long timeout for a hung answer
 * only delays the match.
 */
export interface StartAttempts {
  /** The time one start attempt may take. */
  readonly timeoutMs: number;
  /** Attempts per start, the first included. */
  readonly attempts: number;
}

/**
 * Which failures of a start are tried again at once: timeouts, resets and 5xx (the client's
 * transient verdict), but not "no capacity" (420), which placement answers with the next region.
 */
export const startRetryIf = (error: GameyeError): boolean => error.status !== 420;

export interface GameyePortAdapterProps {
  readonly client: GameyeClient;
  /** Per-call timeout; the handler derives it from the Lambda's remaining time. */
  readonly timeoutMs?: number | undefined;
  /** How starts are tried (per-attempt timeout and attempts). @default one attempt of `timeoutMs` */
  readonly startAttempts?: StartAttempts | undefined;
  /** Called for every failed call, for metrics and logs (status, identifier). */
  readonly onError?: ((error: GameyeError) => void) | undefined;
}

export class GameyePortAdapter implements GameyePort {
  readonly #client: GameyeClient;
  readonly #options: { timeoutMs?: number };
  readonly #startOptions: CallOptions;
  readonly #onError: ((error: GameyeError) => void) | undefined;

  constructor(props: GameyePortAdapterProps) {
    this.#client = props.client;
    this.#options = props.timeoutMs === undefined ? {} : { timeoutMs: props.timeoutMs };
    const start = props.startAttempts;
    this.#startOptions =
      start === undefined
        ? this.#options
        : {
            timeoutMs: Math.min(start.timeoutMs, props.timeoutMs ?? start.timeoutMs),
            retries: { maxAttempts: start.attempts, baseDelayMs: 50, maxDelayMs: 500 },
            retryIf: startRetryIf,
          };
    this.#onError = props.onError;
  }

  async availableLocations(image: string): Promise<readonly string[]> {
    const locations = await this.#call(() => this.#client.availableLocations(image, this.#options));
    return locations.map((l) => l.id);
  }

  tagExists(region: string, image: string, version: string): Promise<boolean> {
    return this.#call(() => this.#client.tagExists(region, image, version, this.#options));
  }

  async startSession(request: StartSessionRequest): Promise<StartedSession> {
    const started = await this.#call(() =>
      this.#client.startSession(
        {
          id: request.id,
          location: request.location,
          image: request.image,
          env: { ...request.env },
          labels: { ...request.labels },
          ...(request.version === undefined ? {} : { version: request.version }),
          ...(request.args === undefined ? {} : { args: [...request.args] }),
          ...(request.ttl === undefined ? {} : { ttl: request.ttl }),
          ...(request.restart === undefined ? {} : { restart: request.restart }),
        },
        this.#startOptions,
      ),
    );
    return {
      host: started.host,
      ports: started.ports.map((p) => ({ protocol: p.type, container: p.container, host: p.host })),
    };
  }

  async describeSession(sessionId: string): Promise<DescribedSession | undefined> {
    const s = await this.#call(
      () => this.#client.describeSession(sessionId, this.#options),
      notFoundAsUndefined,
    );
    if (s === undefined) return undefined;
    return {
      id: s.id,
      location: s.location,
      host: s.host,
      ports: portsOf(s.port),
      liveness: livenessOf(s.status),
      status: s.status,
    };
  }

  async stopSession(sessionId: string): Promise<'stopped' | 'already-gone'> {
    return this.#call(async () => {
      await this.#client.stopSession(sessionId, this.#options);
      return 'stopped' as const;
    }, goneAsAlreadyGone);
  }

  #call<T, A = never>(fn: () => Promise<T>, absorb?: Absorb<A>): Promise<T | A> {
    return callGameye<T | A>(fn, this.#onError, absorb);
  }
}

/** Gameye's `{"7777/udp": 24011}` map as core ports; keys that do not parse are skipped. */
export function portsOf(map: Readonly<Record<string, number>>): ServerPort[] {
  const ports: ServerPort[] = [];
  for (const [key, host] of Object.entries(map)) {
    const m = /^(\d+)\/(tcp|udp)$/.exec(key);
    if (!m) continue;
    ports.push({ container: Number(m[1]), protocol: m[2] as 'tcp' | 'udp', host });
  }
  return ports.sort((a, b) => a.container - b.container || a.protocol.localeCompare(b.protocol));
}
