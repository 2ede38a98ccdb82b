/** What the request pipeline, the operations and the admin API may use of a running emulator. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GameyeOperation, GameyeScope } from '../../lambdas/gameye/contract.ts';
import type { EmulatorAdmin } from './admin-controls.ts';
import type { EmulatorConfig } from './config.ts';
import type { Fleet } from './fleet.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** The running emulator as its parts see it. */
export interface EmulatorContext {
  /** The main token: every scope, and the only one the admin API accepts. */
  readonly token: string;
  readonly fleet: Fleet;
  readonly clock: VirtualClock;
  /** The configuration in force (the admin API may have changed it). */
  readonly config: EmulatorConfig;
  readonly admin: EmulatorAdmin;
  /**
   * The scopes of a known token (`undefined` for a token with every scope), or `false` when
   * the emulator does not know the token.
   */
  scopesOf(token: string): ReadonlySet<GameyeScope> | undefined | false;
  /** The next draw of the seeded RNG behind fault injection and latency jitter. */
  random(): number;
  /** Count one request of `operation`, whatever its answer. */
  count(operation: GameyeOperation): void;
  /** Register cleanup for open work (a follow stream, a timer) that close() must end; answers the unregister. */
  track(cleanup: () => void): () => void;
}

/** One routed request to a Gameye operation. */
export interface OperationCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly operation: GameyeOperation;
  /** Path without query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Decoded path parameters, in order. */
  readonly params: readonly string[];
}

/** One Gameye operation; throws an `EmulatorHttpError` for an answer Gameye gives with its envelope. */
export type OperationHandler = (emulator: EmulatorContext, call: OperationCall) => Promise<void> | void;
