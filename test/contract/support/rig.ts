/**
 * The contract-test rig: one emulator per test file, the recording proxy in front of it,
 * Gameye clients that talk to the proxy, and {@link ContractRig.verify}, which checks every
 * exchange a test caused against the OpenAPI spec. `afterEach` fails a test that left an
 * exchange unexamined, so nothing crosses the wire without being validated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { GameyeClient, GameyeError } from '../../../lambdas/gameye/index.ts';
import {
  defaultEmulatorConfigInput,
  type EmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../../tools/gameye-emulator/index.ts';
import {
  type ContractValidator,
  checkExchange,
  contractValidator,
  type ExchangeReport,
  undeclaredStatus,
} from './openapi.ts';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.ts';

export const TOKEN = 'contract-main-token-4c1d';
/** A token the emulator knows, carrying no scope at all: every scoped operation answers 403. */
export const SCOPELESS_TOKEN = 'contract-scopeless-token-9e2b';
export const UNKNOWN_TOKEN = 'contract-unknown-token-0000';

/** What one exchange of a scenario is expected to be. */
export interface ExpectedExchange {
  /** `operationId status`, e.g. `session-run 201`. */
  readonly call: string;
  /** `invalid`: this request is meant to break the spec (a 422 scenario). @default 'valid' */
  readonly request?: 'valid' | 'invalid';
  /** `undeclared`: the status is one the spec does not declare (5xx). @default 'valid' */
  readonly response?: 'valid' | 'undeclared';
}

export interface ContractRig {
  readonly emulator: RunningEmulator;
  readonly validator: ContractValidator;
  readonly proxy: RecordingProxy;
  /** A client with the all-scope token, no retries. */
  readonly gameye: GameyeClient;
  /** A client whose token the emulator does not know. */
  readonly unknownToken: GameyeClient;
  /** A client with a known token that has no scopes. */
  readonly scopeless: GameyeClient;
  /** A raw call through the proxy (for bodies the client would never send). */
  raw(method: string, pathAndQuery: string, body?: string, token?: string): Promise<Response>;
  /**
   * Drain the recorded exchanges, assert they are exactly `expected` (in order), and that
   * each request and response conforms to the spec (or breaks it exactly as announced).
   */
  verify(expected: readonly (string | ExpectedExchange)[]): Promise<ExchangeReport[]>;
}

export const CONTRACT_CONFIG: EmulatorConfigInput = {
  ...defaultEmulatorConfigInput,
  tokens: [{ token: SCOPELESS_TOKEN, scopes: [] }],
};

export function useContractRig(): ContractRig {
  let state:
    | {
        emulator: RunningEmulator;
        validator: ContractValidator;
        proxy: RecordingProxy;
        gameye: GameyeClient;
        unknownToken: GameyeClient;
        scopeless: GameyeClient;
      }
    | undefined;
  const get = () => {
    if (!state) throw new Error('the contract rig is not started yet');
    return state;
  };
  beforeAll(async () => {
    const [validator, emulator] = await Promise.all([
      contractValidator(),
      startEmulator({ token: TOKEN, config: CONTRACT_CONFIG }),
    ]);
    const proxy = await startRecordingProxy(emulator.url);
    const client = (token: string) => new GameyeClient({ baseUrl: proxy.url, token, timeoutMs: 5_000 });
    state = {
      emulator,
      validator,
      proxy,
      gameye: client(TOKEN),
      unknownToken: client(UNKNOWN_TOKEN),
      scopeless: client(SCOPELESS_TOKEN),
    };
  });
  beforeEach(() => {
    state?.emulator.admin.reset();
  });
  afterEach(async () => {
    const left = (await state?.proxy.drain()) ?? [];
    expect(
      left.map((e) => `${e.method} ${e.path} ${e.status}`),
      'exchanges this test never verified',
    ).toEqual([]);
  });
  afterAll(async () => {
    if (!state) return;
    await Promise.all([state.gameye.close(), state.unknownToken.close(), state.scopeless.close()]);
    await state.proxy.close();
    await state.emulator.close();
  });

  return {
    get emulator() {
      return get().emulator;
    },
    get validator() {
      return get().validator;
    },
    get proxy() {
      return get().proxy;
    },
    get gameye() {
      return get().gameye;
    },
    get unknownToken() {
      return get().unknownToken;
    },
    get scopeless() {
      return get().scopeless;
    },
    async raw(method, pathAndQuery, body, token = TOKEN) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${get().proxy.url}${pathAndQuery}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      await res.arrayBuffer();
      return res;
    },
    async verify(expected) {
      const { proxy, validator } = get();
      const reports = (await proxy.drain()).map((e) => checkExchange(validator, e));
      const wanted = expected.map((e) => (typeof e === 'string' ? { call: e } : e));
      expect(
        reports.map((r) => `${r.operationId} ${r.status}`),
        'the exchanges on the wire',
      ).toEqual(wanted.map((w) => w.call));
      reports.forEach((report, i) => {
        const want = wanted[i] ?? { call: '' };
        const label = `${want.call} (${report.exchange.method} ${report.exchange.path}${report.exchange.query === '' ? '' : `?${report.exchange.query}`})`;
        if ((want.request ?? 'valid') === 'valid') {
          expect(report.requestErrors, `request of ${label} must conform to the spec`).toEqual([]);
        } else {
          expect(
            report.requestErrors.length,
            `request of ${label} was expected to break the spec`,
          ).toBeGreaterThan(0);
        }
        if ((want.response ?? 'valid') === 'valid') {
          expect(report.responseErrors, `response of ${label} must conform to the spec`).toEqual([]);
        } else {
          expect(report.responseErrors, `response of ${label}`).toEqual([
            undeclaredStatus(report.operationId, report.status),
          ]);
        }
      });
      return reports;
    },
  };
}

/** Await a call that must fail with a GameyeError of `status`; answers the error. */
export async function expectGameyeError(call: Promise<unknown>, status: number): Promise<GameyeError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected the call to fail with ${status}`).toBeInstanceOf(GameyeError);
  if (!(error instanceof GameyeError)) throw new Error('unreachable');
  expect(error.status).toBe(status);
  return error;
}

/** Read a stream to its end, answering the byte count. */
export async function drainStream(stream: AsyncIterable<unknown>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream)
    bytes += chunk instanceof Uint8Array ? chunk.length : String(chunk).length;
  return bytes;
}
