/** Helpers of the CLI tests: a local bridge with a stack file, and `main` run in-process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../tools/cli/main.ts';
import {
  type LocalBridge,
  type LocalBridgeOptions,
  startLocalBridge,
} from '../../tools/local/local-bridge.ts';
import { writeStackFile } from '../../tools/local/stack-file.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const LOCAL_CONFIG = join(PROJECT_ROOT, 'config/local.config.json');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliStack {
  readonly bridge: LocalBridge;
  readonly dir: string;
  readonly stackFile: string;
  /** Run `bridge <argv> --stack-file <this stack>` in-process. */
  run(argv: readonly string[], options?: { stdin?: string; signal?: AbortSignal }): Promise<CliRun>;
  /** Every byte the CLI printed so far, to prove the token never appears. */
  readonly printed: string[];
  close(): Promise<void>;
}

export async function startCliStack(
  options: LocalBridgeOptions & { readonly startEventSource?: boolean } = {},
): Promise<CliStack> {
  const bridge = await startLocalBridge(options);
  if (options.startEventSource !== false) bridge.eventSource.start();
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  const stackFile = join(dir, 'stack.json');
  writeStackFile(
    {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      configPath: LOCAL_CONFIG,
      endpoints: { ...bridge.aws.endpoints, gameye: bridge.emulator.url },
      gameyeToken: bridge.emulator.token,
      region: 'us-east-1',
      resources: bridge.resources,
    },
    stackFile,
  );
  const printed: string[] = [];
  return {
    bridge,
    dir,
    stackFile,
    printed,
    async run(argv, runOptions = {}) {
      const result = await runCli([...argv, '--stack-file', stackFile], runOptions);
      printed.push(result.stdout, result.stderr);
      return result;
    },
    async close() {
      await bridge.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `main` with captured output; `env` is empty unless given, so the host's AWS settings never leak in. */
export async function runCli(
  argv: readonly string[],
  options: { stdin?: string; signal?: AbortSignal; env?: Record<string, string> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? {},
    signal: options.signal,
    cwd: PROJECT_ROOT,
  });
  return { code, stdout, stderr };
}

export function matchFound(
  matchId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: [
      { id: `${matchId}-p1`, latencies: { dublin: 20, frankfurt: 35 } },
      { id: `${matchId}-p2`, latencies: { dublin: 30, frankfurt: 25 } },
    ],
    ...overrides,
  };
}
