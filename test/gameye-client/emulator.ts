/**
 * One Gameye emulator per test file on loopback, reset before each test, with a client that
 * talks to it. The config is the default one with fast log pushes and two extra tokens.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { GameyeClient, type GameyeClientOptions } from '../../lambdas/gameye/index.ts';
import {
  defaultEmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';

export const TOKEN = 'emulator-secret-token-7f3a9c';
/** A token with only `session:read`, for 403s. */
export const READ_ONLY_TOKEN = 'read-only-secret-token-51bd0e';

export interface EmulatorFixture {
  readonly emulator: RunningEmulator;
  /** A client without retries and a short timeout; make others with {@link EmulatorFixture.client}. */
  readonly gameye: GameyeClient;
  client(options?: Partial<GameyeClientOptions>): GameyeClient;
}

/** Register the hooks and hand back a lazily filled fixture. */
export function useEmulator(): EmulatorFixture {
  let emulator: RunningEmulator | undefined;
  let gameye: GameyeClient | undefined;
  const extra: GameyeClient[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({
      token: TOKEN,
      config: {
        ...defaultEmulatorConfigInput,
        logIntervalMs: 10,
        tokens: [{ token: READ_ONLY_TOKEN, scopes: ['session:read'] }],
      },
    });
    gameye = new GameyeClient({ baseUrl: emulator.url, token: TOKEN, timeoutMs: 5_000 });
  });
  beforeEach(() => {
    emulator?.admin.reset();
  });
  afterAll(async () => {
    await Promise.all([gameye?.close(), ...extra.map((c) => c.close())]);
    await emulator?.close();
  });
  return {
    get emulator() {
      if (!emulator) throw new Error('the emulator is not started yet');
      return emulator;
    },
    get gameye() {
      if (!gameye) throw new Error('the emulator is not started yet');
      return gameye;
    },
    client(options = {}) {
      if (!emulator) throw new Error('the emulator is not started yet');
      const client = new GameyeClient({ baseUrl: emulator.url, token: TOKEN, timeoutMs: 5_000, ...options });
      extra.push(client);
      return client;
    },
  };
}
