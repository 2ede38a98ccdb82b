/**
 * Deployed mode, end to end: `node bin/bridge.ts --stack …` as a child process against a fake
 * CloudFormation and Secrets Manager.
 * - Its Gameye URL: plain TCP listeners stand in for Gameye. A listener records who connects and
 *   hangs up, so no token is ever read from it and the test sees which URL the CLI chose without
 *   any TLS set-up.
 * - Its data plane: the stack's outputs name a local bridge's queues and table, and the SDK's
 *   own per-service endpoint variables (`AWS_ENDPOINT_URL_SQS`, `…_DYNAMODB`) send the CLI's
 *   default clients there, as they would go to AWS's.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { waitForDrain } from '../integration/helpers.ts';
import { type FakeAws, startFakeAws } from './fake-aws.ts';
import { LOCAL_CONFIG, PROJECT_ROOT } from './support.ts';

const BIN = join(PROJECT_ROOT, 'bin/bridge.ts');
const STACK = 'FakeBridge';
const TOKEN = 'fake_production_token_value';
const OUTPUTS = {
  MatchesQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/000000000000/matches',
  DeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/000000000000/dlq',
  SessionsTableName: 'sessions',
  SessionEventsTopicArn: 'arn:aws:sns:eu-west-1:000000000000:events',
  ArchiveBucketName: 'archive',
  GameyeTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token',
};

interface Listener {
  readonly port: number;
  connections: number;
  close(): Promise<void>;
}

async function listener(): Promise<Listener> {
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections += 1;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return Object.assign(state, {
    port: address.port,
    async close() {
      server.close();
      await once(server, 'close');
    },
  });
}

const home = mkdtempSync(join(tmpdir(), 'bridge-cli-deployed-'));
let aws: FakeAws | undefined;
let open: Listener[] = [];

afterEach(async () => {
  await aws?.close();
  aws = undefined;
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

async function gameye(): Promise<Listener> {
  const l = await listener();
  open.push(l);
  return l;
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bridge --stack FakeBridge <args>` with only the fake AWS to talk to. */
async function deployed(
  outputs: Record<string, string>,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Exit> {
  // One fake AWS at a time: a test that runs the CLI twice closes the first before the second.
  await aws?.close();
  aws = await startFakeAws({ stackName: STACK, outputs: { ...OUTPUTS, ...outputs }, secret: TOKEN });
  const child = spawn(process.execPath, [BIN, '--stack', STACK, ...args], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_ENDPOINT_URL: aws.url,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  expect(stdout + stderr).not.toContain(TOKEN);
  return { code, stdout, stderr };
}

describe('deployed mode refuses a Gameye URL that is not https', () => {
  it('refuses a plain-http --gameye-url before reading the token (exit 2), sending nothing there', async () => {
    const plain = await gameye();
    const r = await deployed({ GameyeBaseUrl: 'https://gameye.example' }, [
      'locations',
      'arena-server',
      '--gameye-url',
      `http://127.0.0.1:${plain.port}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--gameye-url "http://127.0.0.1:${plain.port}" is not an https:// URL`);
    expect(r.stderr).toContain('Pass an https:// URL');
    expect(aws?.calls).toEqual(['DescribeStacks']);
    expect(plain.connections).toBe(0);
  });

  it('refuses a plain-http GAMEYE_BASE_URL for a stack without a GameyeBaseUrl output', async () => {
    const plain = await gameye();
    const r = await deployed({}, ['locations', 'arena-server', '--json'], {
      GAMEYE_BASE_URL: `http://127.0.0.1:${plain.port}`,
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'INSECURE_GAMEYE_URL', exitCode: 2 } });
    expect(r.stderr).toContain('GAMEYE_BASE_URL');
    expect(aws?.calls).toEqual(['DescribeStacks']);
    expect(plain.connections).toBe(0);
  });
});

describe("deployed mode prefers the stack's GameyeBaseUrl output", () => {
  it('ignores a GAMEYE_BASE_URL that differs from the output, and says so', async () => {
    const [fromStack, fromEnv] = [await gameye(), await gameye()];
    const r = await deployed(
      { GameyeBaseUrl: `https://127.0.0.1:${fromStack.port}` },
      ['locations', 'arena-server'],
      {
        GAMEYE_BASE_URL: `https://127.0.0.1:${fromEnv.port}`,
      },
    );
    expect(r.stderr).toContain(`ignoring GAMEYE_BASE_URL https://127.0.0.1:${fromEnv.port}`);
    expect(aws?.calls).toEqual(['DescribeStacks', 'GetSecretValue']);
    expect(fromStack.connections).toBeGreaterThan(0);
    expect(fromEnv.connections).toBe(0);
  });

  it('lets an explicit --gameye-url win, and says it overrides the output', async () => {
    const [fromStack, fromOption] = [await gameye(), await gameye()];
    const r = await deployed({ GameyeBaseUrl: `https://127.0.0.1:${fromStack.port}` }, [
      'locations',
      'arena-server',
      '--gameye-url',
      `https://127.0.0.1:${fromOption.port}`,
    ]);
    expect(r.stderr).toContain(
      `overriding the stack's GameyeBaseUrl https://127.0.0.1:${fromStack.port} with --gameye-url https://127.0.0.1:${fromOption.port}`,
    );
    expect(fromOption.connections).toBeGreaterThan(0);
    expect(fromStack.connections).toBe(0);
  });
});

describe("deployed mode works on the stack's own queues and table", () => {
  let bridge: LocalBridge;
  /** The local bridge's resources as the stack's outputs, its endpoints as the SDK's variables. */
  let outputs: Record<string, string>;
  let endpoints: Record<string, string>;

  beforeAll(async () => {
    bridge = await startLocalBridge();
    bridge.eventSource.start();
    const r = bridge.resources;
    // The SDK sends a queue's calls to its URL's host. The local queue service names its
    // queues `http://sqs.<region>.127.0.0.1:<port>/…`, which is no valid host; AWS's are.
    const onLoopback = (url: string) => url.replace(/^http:\/\/[^/]+/, bridge.aws.endpoints.messaging);
    outputs = {
      MatchesQueueUrl: onLoopback(r.matchesQueueUrl),
      DeadLetterQueueUrl: onLoopback(r.deadLetterQueueUrl),
      SessionsTableName: r.tableName,
      SessionEventsTopicArn: r.topicArn,
      ArchiveBucketName: r.bucket,
    };
    endpoints = {
      AWS_ENDPOINT_URL_SQS: bridge.aws.endpoints.messaging,
      AWS_ENDPOINT_URL_DYNAMODB: bridge.aws.endpoints.dynamodb,
    };
  });

  afterAll(async () => {
    await bridge?.close();
  });

  it('sends a match to the stack’s queue and waits for the stack’s record of it (READY)', async () => {
    const r = await deployed(
      outputs,
      [
        'send-match',
        '--config',
        LOCAL_CONFIG,
        '--match-id',
        'deployed-1',
        '--profile',
        'arena-casual',
        '--player',
        'p1:dublin=20',
        '--wait',
        '20',
        '--json',
      ],
      endpoints,
    );
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      sent: true,
      matchId: 'deployed-1',
      queueUrl: outputs.MatchesQueueUrl,
      record: { matchId: 'deployed-1', state: 'READY' },
      deadLetter: null,
    });
    expect(aws?.calls).toEqual(['DescribeStacks']);

    const listed = await deployed(outputs, ['sessions', '--config', LOCAL_CONFIG, '--json'], endpoints);
    expect(listed.code).toBe(0);
    const { sessions } = JSON.parse(listed.stdout) as { sessions: { matchId: string; state: string }[] };
    expect(sessions).toContainEqual(expect.objectContaining({ matchId: 'deployed-1', state: 'READY' }));
  });

  it('reads the stack’s dead-letter queue, with the reason the bridge recorded', async () => {
    const body = JSON.stringify({ type: 'MatchFound', version: 1, matchId: 'deployed-bad' });
    await bridge.aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: bridge.resources.matchesQueueUrl, MessageBody: body }),
    );
    // Placement parks an invalid event at once: the matches queue drains when it has.
    await waitForDrain(bridge);
    const r = await deployed(outputs, ['dlq', '--json'], endpoints);
    expect(r.code).toBe(0);
    const letters = (JSON.parse(r.stdout) as { messages: { matchId?: string; reason?: string }[] }).messages;
    expect(letters.find((l) => l.matchId === 'deployed-bad')).toMatchObject({ reason: 'invalid-event' });
  });
});
