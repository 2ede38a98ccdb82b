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
  options: { closeEarly?: 'stdout' | 'stderr' } = {},
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The reader goes away before the child has even loaded (closing the pipe's only read end
  // here, synchronously after spawn), like `| head` that has read what it wanted.
  if (options.closeEarly) child[options.closeEarly]?.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Resolves once `child` has printed `text` on stdout; rejects if it exits first. */
function printed(child: ChildProcess, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const onClose = (code: number | null) =>
      reject(new Error(`exited (${code}) before printing ${JSON.stringify(text)}:\n${seen}`));
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (!seen.includes(text)) return;
      child.stdout?.off('data', onData);
      child.off('close', onClose);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.once('close', onClose);
  });
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
    const record = JSON.parse((await stack.run(['session', 'proc-a', '--json'])).stdout) as {
      record: { sessionId: string };
    };
    const { child, done } = bridge(['logs', 'proc-a', '--follow', '--stack-file', stack.stackFile]);
    await printed(child, 'server ready');
    // Still following when Ctrl-C comes: it prints a line written after it started.
    stack.bridge.emulator.admin.setPlayers(record.record.sessionId, ['proc-joiner']);
    await printed(child, 'player proc-joiner joined');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(stack.bridge.emulator.token);
  });
});

describe('a reader that closes the pipe early', () => {
  it('ends `--help` quietly with exit 0 when stdout is closed (`bridge --help | head -2`)', async () => {
    const r = await bridge(['--help'], {}, { closeEarly: 'stdout' }).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('keeps its exit code when stderr is closed', async () => {
    const r = await bridge(['frobnicate'], {}, { closeEarly: 'stderr' }).done;
    expect(r.code).toBe(2);
  });

  it('ends `logs --follow` when stdout is closed, instead of following for nobody', async () => {
    const r = await bridge(
      ['logs', 'proc-a', '--follow', '--stack-file', stack.stackFile],
      {},
      {
        closeEarly: 'stdout',
      },
    ).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
