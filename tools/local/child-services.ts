/** Starts tools/local/child-services-main.ts and returns what it listens on. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LocalAwsEndpoints, LocalResources } from './local-aws.ts';

export interface ChildServices {
  readonly endpoints: LocalAwsEndpoints;
  readonly resources: LocalResources;
  readonly gameye: { readonly url: string; readonly token: string };
  stop(): Promise<void>;
}

export async function startChildServices(emulatorConfig?: unknown): Promise<ChildServices> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./child-services-main.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        ...(emulatorConfig ? { BENCH_EMULATOR_CONFIG: JSON.stringify(emulatorConfig) } : {}),
      },
    },
  );
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`services child exited with ${code}`)));
  });
  const info = JSON.parse(first) as Omit<ChildServices, 'stop'>;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
