/** Exit 3 and a hint when there is no stack to talk to. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeStackFile } from '../../tools/local/stack-file.ts';
import { LOCAL_CONFIG, runCli } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-down-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stackFile(name: string, pid: number): string {
  const path = join(dir, name);
  writeStackFile(
    {
      version: 1,
      pid,
      startedAt: new Date().toISOString(),
      configPath: LOCAL_CONFIG,
      // Port 9 (discard) on loopback: nothing listens, so connections are refused.
      endpoints: {
        dynamodb: 'http://127.0.0.1:9',
        messaging: 'http://127.0.0.1:9',
        gameye: 'http://127.0.0.1:9',
      },
      gameyeToken: 'emu_secret_token_value',
      region: 'us-east-1',
      resources: {
        tableName: 't',
        matchesQueueUrl: 'http://127.0.0.1:9/000000000000/m',
        deadLetterQueueUrl: 'http://127.0.0.1:9/000000000000/d',
        deadLetterQueueArn: 'arn:aws:sqs:us-east-1:000000000000:d',
        topicArn: 'arn:aws:sns:us-east-1:000000000000:t',
        backendQueueUrl: 'http://127.0.0.1:9/000000000000/b',
        bucket: 'b',
      },
    },
    path,
  );
  return path;
}

describe('an unreachable stack', () => {
  it('exits 3 and says how to start one when there is no stack file', async () => {
    const r = await runCli(['sessions', '--stack-file', join(dir, 'missing.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no local stack is running');
    expect(r.stderr).toContain('npm start -- --serve');
    expect(r.stderr).toContain('--stack');
  });

  it('exits 3 when the stack file names a process that has exited', async () => {
    const r = await runCli(['dlq', '--json', '--stack-file', stackFile('stale.json', 2 ** 22 + 12345)]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'STACK_UNREACHABLE', exitCode: 3 } });
  });

  it('exits 3 when the stack is recorded as running but does not answer', async () => {
    const file = stackFile('dead.json', process.pid);
    const sessions = await runCli(['sessions', '--stack-file', file]);
    expect(sessions.code).toBe(3);
    expect(sessions.stderr).toContain('cannot reach the local stack');
    const locations = await runCli(['locations', 'arena-server', '--stack-file', file]);
    expect(locations.code).toBe(3);
    expect(locations.stdout + locations.stderr).not.toContain('emu_secret_token_value');
  });

  it('checks input before the stack: bad input is exit 2 even with no stack', async () => {
    const r = await runCli([
      'send-match',
      '--match-id',
      'x',
      '--profile',
      'p',
      '--stack-file',
      join(dir, 'missing.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('players');
  });
});

describe('deployed mode defaults', () => {
  it('uses the same default config file as the CDK stack', async () => {
    const [{ DEFAULT_CONFIG_PATH: cli }, { DEFAULT_CONFIG_PATH: cdk }] = await Promise.all([
      import('../../tools/cli/target.ts'),
      import('../../lib/bridge-stack.ts'),
    ]);
    expect(cli).toBe(cdk);
  });
});
