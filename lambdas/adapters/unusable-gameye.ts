/**
 * The Gameye port of an invocation that cannot reach Gameye at all, typically because the
 * token cannot be read (the secret has no value yet). Every call fails, saying why, so each
 * match takes the ordinary path of a refused token or an outage: retried with backoff, and
 * recorded FAILED with that reason on its last delivery (a DLQ copy with a reason, a
 * SessionFailed event), instead of every invocation crashing and SQS dead-lettering the
 * messages with no reason at all.
 */
import { GameyeCallError, type GameyeFailure } from '../core/errors.ts';
import type { DescribedSession, GameyePort, StartedSession } from '../core/ports.ts';

export class UnusableGameye implements GameyePort {
  readonly #kind: GameyeFailure;
  readonly #message: string;
  readonly #cause: unknown;

  constructor(
    kind: Extract<GameyeFailure, 'unauthorized' | 'unavailable'>,
    message: string,
    cause?: unknown,
  ) {
    this.#kind = kind;
    this.#message = message;
    this.#cause = cause;
  }

  availableLocations(): Promise<readonly string[]> {
    return this.#fail();
  }

  tagExists(): Promise<boolean> {
    return this.#fail();
  }

  startSession(): Promise<StartedSession> {
    return this.#fail();
  }

  describeSession(): Promise<DescribedSession | undefined> {
    return this.#fail();
  }

  stopSession(): Promise<'stopped' | 'already-gone'> {
    return this.#fail();
  }

  async #fail(): Promise<never> {
    throw new GameyeCallError({ kind: this.#kind, message: this.#message, cause: this.#cause });
  }
}
