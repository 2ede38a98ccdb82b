/**
 * One running emulator: its HTTP server (plain `node:http`, keep-alive on, so a start costs
 * well under a millisecond), its fleet and virtual clock, the configuration in force, the
 * seeded RNG, the request counters and the open work that close() must end. Requests go
 * through `request-pipeline.ts`.
 */
import { createServer, type Server } from 'node:http';
import type { GameyeOperation, GameyeScope } from '../../lambdas/gameye/contract.ts';
import { type AdminHost, adminControls, type EmulatorAdmin, type EmulatorStats } from './admin-controls.ts';
import { indexTokens, type TokenIndex } from './bearer-auth.ts';
import { type EmulatorConfig, GAMEYE_OPERATIONS } from './config.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { Fleet } from './fleet.ts';
import { handleRequest } from './request-pipeline.ts';
import { type Random, seededRandom } from './rng.ts';
import { VirtualClock } from './virtual-clock.ts';

function zeroStats(): EmulatorStats {
  return Object.fromEntries(GAMEYE_OPERATIONS.map((op) => [op, 0])) as EmulatorStats;
}

/** Everything one running emulator holds: config, sessions, RNG, counters, open work. */
export class Emulator implements EmulatorContext, AdminHost {
  readonly token: string;
  readonly server: Server;
  readonly fleet: Fleet;
  readonly clock = new VirtualClock();
  readonly admin: EmulatorAdmin;
  readonly #initialConfig: EmulatorConfig;
  #random: Random;
  #tokens: TokenIndex;
  #stats: EmulatorStats = zeroStats();
  /** Cleanups of open work (follow streams, latency timers, hung requests) run by close(). */
  readonly #open = new Set<() => void>();

  constructor(config: EmulatorConfig, token: string) {
    this.token = token;
    this.#initialConfig = config;
    this.fleet = new Fleet(config, this.clock);
    this.#random = seededRandom(config.seed);
    this.#tokens = indexTokens(config, token);
    this.server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
      void handleRequest(this, req, res);
    });
    // Keep pooled client connections (undici keeps them ~4 s) from racing a server-side close.
    this.server.keepAliveTimeout = 65_000;
    this.admin = adminControls(this);
  }

  get config(): EmulatorConfig {
    return this.fleet.config;
  }

  scopesOf(token: string): ReadonlySet<GameyeScope> | undefined | false {
    return this.#tokens.has(token) ? this.#tokens.get(token) : false;
  }

  random(): number {
    return this.#random();
  }

  count(operation: GameyeOperation): void {
    this.#stats[operation]++;
  }

  stats(): EmulatorStats {
    return { ...this.#stats };
  }

  applyConfig(config: EmulatorConfig, reseed: boolean): void {
    this.fleet.config = config;
    this.#tokens = indexTokens(config, this.token);
    if (reseed) this.#random = seededRandom(config.seed);
  }

  reset(): void {
    this.fleet.clear();
    this.#stats = zeroStats();
    this.clock.offsetMs = 0;
    this.applyConfig(this.#initialConfig, true);
  }

  track(cleanup: () => void): () => void {
    this.#open.add(cleanup);
    return () => this.#open.delete(cleanup);
  }

  /** Stop serving: ends follow streams and hanging requests, clears timers. */
  async close(): Promise<void> {
    for (const cleanup of [...this.#open]) cleanup();
    this.#open.clear();
    this.fleet.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
