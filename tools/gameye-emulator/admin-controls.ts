/**
 * The emulator's test-only controls (crash a session, set players, move the clock, change
 * faults and config, read sessions and stats, reset), in process; `admin-routes.ts` serves
 * the same over HTTP under `/__admin/`.
 */
import type { GameyeOperation } from '../../lambdas/gameye/contract.ts';
import {
  type EmulatorConfig,
  type EmulatorConfigInput,
  type FaultConfigInput,
  FaultConfig as FaultConfigSchema,
  FaultTarget,
  parseEmulatorConfig,
} from './config.ts';
import type { CrashStatus, Fleet, SessionSnapshot } from './fleet.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** Requests received per Gameye operation (whatever the answer, faults included). */
export type EmulatorStats = Record<GameyeOperation, number>;

/** Test-only controls; the same are served over HTTP under `/__admin/`. */
export interface EmulatorAdmin {
  /** End a session as if its container died (`exited`/`dead`) or lose contact with it (`server_unreachable`). */
  crash(sessionId: string, status?: CrashStatus): SessionSnapshot;
  /** Replace the joined players with `player-1` ... `player-n`. */
  setPlayerCount(sessionId: string, count: number): SessionSnapshot;
  /** Replace the joined players. */
  setPlayers(sessionId: string, players: readonly string[]): SessionSnapshot;
  /** Move the virtual clock forward, then apply due ttl expiries; answers the new virtual now. */
  advanceClock(ms: number): number;
  /** The virtual now (epoch ms), as `created` reports it. */
  now(): number;
  /** Set (or with `undefined`, clear) fault injection of one operation or of `*`. */
  setFaults(operation: FaultTarget, faults: FaultConfigInput | undefined): void;
  /**
   * Change top-level config fields at runtime (validated like a file); answers the result.
   * A field is replaced whole: `{ artifacts: { ...config.artifacts, bytesPerSecond: 65536 } }`
   * turns on the slow-artifact fault and keeps the synthetic file.
   */
  setConfig(partial: Partial<EmulatorConfigInput>): EmulatorConfig;
  /** Every session, stopped ones included. */
  sessions(): SessionSnapshot[];
  stats(): EmulatorStats;
  /** Back to the starting state: no sessions, zero stats, clock and config as started. */
  reset(): void;
}

/** What the controls act on: the running emulator's state. */
export interface AdminHost {
  readonly fleet: Fleet;
  readonly clock: VirtualClock;
  readonly config: EmulatorConfig;
  /** Put `config` in force; `reseed` restarts the RNG from its seed. */
  applyConfig(config: EmulatorConfig, reseed: boolean): void;
  stats(): EmulatorStats;
  /** No sessions, zero stats, clock and config as started. */
  reset(): void;
}

/** The controls over `host`. */
export function adminControls(host: AdminHost): EmulatorAdmin {
  const { fleet } = host;
  return {
    crash: (sessionId, status = 'exited') => fleet.snapshot(fleet.crash(sessionId, status)),
    setPlayerCount: (sessionId, count) =>
      fleet.snapshot(
        fleet.setPlayers(
          sessionId,
          Array.from({ length: count }, (_, i) => `player-${i + 1}`),
        ),
      ),
    setPlayers: (sessionId, players) => fleet.snapshot(fleet.setPlayers(sessionId, players)),
    advanceClock: (ms) => {
      if (!(ms >= 0)) throw new RangeError('advanceClock expects a non-negative number of milliseconds');
      host.clock.offsetMs += ms;
      fleet.applyDueExpiries();
      return host.clock.now();
    },
    now: () => host.clock.now(),
    setFaults: (operation, faults) => {
      const target = FaultTarget.parse(operation);
      const next: Record<string, FaultConfigInput> = { ...host.config.faults };
      if (faults === undefined) delete next[target];
      else next[target] = FaultConfigSchema.parse(faults);
      host.applyConfig(parseEmulatorConfig({ ...host.config, faults: next }, 'setFaults'), false);
    },
    setConfig: (partial) => {
      const next = parseEmulatorConfig({ ...host.config, ...partial }, 'setConfig');
      host.applyConfig(next, partial.seed !== undefined);
      return next;
    },
    sessions: () => [...fleet.values()].map((s) => fleet.snapshot(s)),
    stats: () => host.stats(),
    reset: () => host.reset(),
  };
}
