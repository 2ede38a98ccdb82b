/** The real executable: `node bin/bridge.ts` as a child process, Ctrl-C included. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, matchFound, PROJECT_ROOT, startCliStack } from './support.ts';

const BIN = join(PROJECT_ROOT, 'bin/bridge.ts');
let stack: CliStack;

beforeAll(async () => {
  stack = await startCliStack();
  const r = await stack.run(['send-match', '-', '--wait', '20'], {
    stdin: JSON.stringify(matchFound('proc-a')),
  });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await stack?.close();
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bridge(
  args: readonly string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

describe('node bin/bridge.ts', () => {
  it('lists sessions as JSON, finding the stack through BRIDGE_STACK_FILE', async () => {
    const r = await bridge(['sessions', '--json'], { BRIDGE_STACK_FILE: stack.stackFile }).done;
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { sessions: { matchId: string }[] };
    expect(doc.sessions.map((s) => s.matchId)).toContain('proc-a');
  });

  it('exits 3 with the hint when no local stack is running', async () => {
    const r = await bridge(['sessions', '--stack-file', join(stack.dir, 'nothing.json')]).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('npm start -- --serve');
  });

  it('exits 3 in deployed mode when there are no AWS credentials', async () => {
    const r = await bridge(['--stack', 'NoSuchStack', 'sessions'], {
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      // No ~/.aws of the machine running the tests.
      HOME: stack.dir,
      AWS_CONFIG_FILE: join(stack.dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(stack.dir, 'none'),
    }).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no usable AWS credentials');
  });

  it('exits 3 in deployed mode when no region is set', async () => {
    const r = await bridge(['--stack', 'NoSuchStack', 'dlq'], {
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: stack.dir,
      AWS_CONFIG_FILE: join(stack.dir, 'none'),
    }).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('AWS_REGION');
  });

  it('exits 2 on an invalid event', async () => {
    const r = await bridge([
      'send-match',
      '--match-id',
      'p!',
      '--profile',
      'arena-casual',
      '--player',
      'p1',
      '--stack-file',
      stack.stackFile,
    ]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('matchId');
  });

  it('ends `logs --follow` cleanly on Ctrl-C (SIGINT) with exit 0', async () => {
    const { child, done } = bridge(['logs', 'proc-a', '--follow', '--stack-file', stack.stackFile]);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(stack.bridge.emulator.token);
  });
});
