/**
 * Local Gameye Session API emulator, faithful to Gameye's OpenAPI description (v1.2.1; the
 * contract tests in `test/contract/` hold it to that file): start it in a test with
 * {@link startEmulator}, or from a shell with `bin/gameye-emulator.ts`.
 *
 * @example
 * const gameye = await startEmulator();
 * await fetch(`${gameye.url}/session`, { method: 'POST', headers: { authorization: `Bearer ${gameye.token}` }, body });
 * gameye.admin.advanceClock(60_000);
 * await gameye.close();
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { EmulatorAdmin } from './admin-controls.ts';
import {
  defaultEmulatorConfig,
  type EmulatorConfig,
  type EmulatorConfigInput,
  parseEmulatorConfig,
} from './config.ts';
import { Emulator } from './emulator.ts';

export type { EmulatorAdmin, EmulatorStats } from './admin-controls.ts';
export {
  defaultEmulatorConfig,
  defaultEmulatorConfigInput,
  type EmulatorConfig,
  EmulatorConfigError,
  type EmulatorConfigInput,
  EmulatorConfigSchema,
  type FaultConfigInput,
  type FaultTarget,
  loadEmulatorConfig,
  parseEmulatorConfig,
} from './config.ts';
export type { CrashStatus, SessionSnapshot } from './fleet.ts';

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Raw (JSON-shaped) or already parsed config. @default defaultEmulatorConfig */
  readonly config?: EmulatorConfigInput;
  /** The bearer token with every scope (and admin rights). @default random */
  readonly token?: string;
}

/** A listening emulator. */
export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** The valid bearer token (all scopes). */
  readonly token: string;
  /** The configuration as parsed at start (see `admin.setConfig` for runtime changes). */
  readonly config: EmulatorConfig;
  /** Test-only controls, also served at `/__admin/...`. */
  readonly admin: EmulatorAdmin;
  /** Closes the server and every open stream, clears timers. */
  close(): Promise<void>;
}

/** Start an emulator on loopback; the config is validated (an error names the bad field). */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const config = options.config === undefined ? defaultEmulatorConfig : parseEmulatorConfig(options.config);
  const token = options.token ?? `emu_${randomBytes(18).toString('base64url')}`;
  const emulator = new Emulator(config, token);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    emulator.server.once('error', reject);
    emulator.server.listen(options.port ?? 0, host, () => {
      emulator.server.off('error', reject);
      resolve();
    });
  });
  const { port } = emulator.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    token,
    config,
    admin: emulator.admin,
    close: () => emulator.close(),
  };
}
