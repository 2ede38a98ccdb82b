/** Helpers of the CLI tests: a local bridge with a stack file, and `main` run in-process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { CliClock } from '../../tools/cli/io.ts';
import { main } from '../../tools/cli/main.ts';
import {
  type LocalBridge,
  type LocalBridgeOptions,
  startLocalBridge,
} from '../../tools/local/local-bridge.ts';
import { fakeContext, toRecord } from '../../tools/local/sqs-event-source.ts';
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
  run(argv: readonly string[], options?: RunOptions): Promise<CliRun>;
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

export interface RunOptions {
  readonly stdin?: string;
  readonly signal?: AbortSignal;
  readonly env?: Record<string, string>;
  /** The CLI's clock (default: the system's); see {@link steppingClock}. */
  readonly clock?: CliClock;
  /** Called after every write to stdout with everything written so far. */
  readonly onStdout?: (stdout: string) => void;
}

/** `main` with captured output; `env` is empty unless given, so the host's AWS settings never leak in. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        options.onStdout?.(stdout);
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? {},
    signal: options.signal,
    cwd: PROJECT_ROOT,
    clock: options.clock,
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

/**
 * A clock whose `sleep` returns at once, moving its time on by the time slept: a command
 * that waits (`send-match --wait 30`) runs through its whole budget without the test
 * waiting for it. `slept` adds up what it was asked to sleep.
 */
export function steppingClock(start = Date.UTC(2030, 0, 1)): CliClock & { readonly slept: () => number } {
  let now = start;
  return {
    now: () => now,
    async sleep(ms) {
      now += ms;
    },
    slept: () => now - start,
  };
}

/**
 * Watches what a running command prints, so a test waits for the output it needs rather than
 * for time: pass `onStdout` to `run`, then `await watch.until(predicate, running)`.
 */
export class OutputWatch {
  #stdout = '';
  readonly #waiters = new Set<{ seen: (stdout: string) => boolean; resolve: (stdout: string) => void }>();

  readonly onStdout = (stdout: string): void => {
    this.#stdout = stdout;
    for (const waiter of this.#waiters) {
      if (!waiter.seen(stdout)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(stdout);
    }
  };

  /** Resolves with stdout once `seen` holds for it; rejects if `running` ends first. */
  until(seen: (stdout: string) => boolean, running: Promise<CliRun>): Promise<string> {
    const reached = new Promise<string>((resolve) => {
      if (seen(this.#stdout)) resolve(this.#stdout);
      else this.#waiters.add({ seen, resolve });
    });
    const ended = running.then((r) => {
      throw new Error(
        `the command ended (exit ${r.code}) before the expected output:\n${r.stdout}${r.stderr}`,
      );
    });
    return Promise.race([reached, ended]);
  }
}

/** Messages in a queue, visible or not. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Take the next message off the matches queue, waiting for one to arrive (SQS long polling,
 * so this waits on the message, not on a timer), and delete it.
 */
export async function takeNextMatchMessage(stack: CliStack): Promise<Message> {
  const { sqs } = stack.bridge.aws.clients;
  const queueUrl = stack.bridge.resources.matchesQueueUrl;
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 5,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const message = out.Messages?.[0];
    if (message) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      return message;
    }
  }
}

/**
 * For a stack started without its event source: hand the next message of the matches queue to
 * the placement function, as Lambda's event source would, so the test decides when placement
 * runs.
 */
export async function deliverNextMatchMessage(stack: CliStack): Promise<Message> {
  const message = await takeNextMatchMessage(stack);
  const event: SQSEvent = { Records: [toRecord(message, stack.bridge.resources.matchesQueueUrl)] };
  const answer = await stack.bridge.handler(event, fakeContext(Date.now() + 60_000));
  if (answer.batchItemFailures.length > 0) throw new Error(`placement failed the message: ${message.Body}`);
  return message;
}
