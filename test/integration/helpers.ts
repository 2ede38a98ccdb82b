/** Shared helpers of the integration tests: sending, draining and reading local services. */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SessionEvent } from '../../lambdas/core/events.ts';
import type { ReaperRunResult } from '../../lambdas/core/reaper/run-reaper.ts';
import { defaultEmulatorConfigInput, type EmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import {
  emulatorClock,
  type LocalBridge,
  type LocalBridgeOptions,
  type ReaperRunOptions,
  startLocalBridge,
} from '../../tools/local/local-bridge.ts';
import { queueDepth } from '../../tools/local/sim/summary.ts';

/** Every session record in the table, validated (the simulation's summary reads them the same way). */
export { scanRecords as allRecords } from '../../tools/local/sim/summary.ts';
/** The simulation's seeded PRNG: reproducible worlds in tests too. */
export { seededRandom as seeded } from '../../tools/local/sim/world.ts';

export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
    if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
  }
}

/**
 * Wait until the matches queue holds nothing, visible or in flight. Checked each time a
 * poller of the local event source finds the queue empty (about once a second while it
 * runs), never on a timer of its own; the depth counts messages in flight and those waiting
 * out a retry delay, so an empty poll during a batch or before a retry is not taken for a
 * drained queue. `timeoutMs` only turns a hang into an error naming the queue: set it at or
 * above the test's own timeout, never as a measure of speed.
 */
export async function waitForDrain(
  bridge: Pick<LocalBridge, 'aws' | 'resources' | 'eventSource'>,
  timeoutMs = 120_000,
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    do await bridge.eventSource.nextEmptyPoll(signal);
    while ((await queueDepth(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl)) > 0);
  } catch (error) {
    if (signal.aborted)
      throw new Error(`matches queue did not drain within ${timeoutMs} ms`, { cause: error });
    throw error;
  }
}

/** Receive and delete everything in a queue. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const got = out.Messages ?? [];
    if (got.length === 0) {
      empty++;
      continue;
    }
    all.push(...got);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return all;
}

/** Session events the game backend's queue received (SNS envelopes unwrapped and validated). */
export async function backendEvents(bridge: LocalBridge): Promise<SessionEvent[]> {
  const messages = await drainQueue(bridge.aws.clients.sqs, bridge.resources.backendQueueUrl);
  return messages.map((m) => {
    const envelope = JSON.parse(m.Body ?? '{}') as {
      Message: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    const event = SessionEvent.parse(JSON.parse(envelope.Message));
    if (envelope.MessageAttributes?.type?.Value !== event.type)
      throw new Error('type attribute does not match the body');
    return event;
  });
}

/** Emulator sessions per match id (from the bridge's `bridge-match-id` label). */
export function sessionsByMatch(bridge: LocalBridge): Map<string, string[]> {
  const byMatch = new Map<string, string[]>();
  for (const s of bridge.emulator.admin.sessions()) {
    const matchId = s.labels['bridge-match-id'];
    if (matchId === undefined) continue;
    byMatch.set(matchId, [...(byMatch.get(matchId) ?? []), s.id]);
  }
  return byMatch;
}

/**
 * The local bridge with its clock on the emulator's virtual clock (`emulatorClock`), so
 * `admin.advanceClock` ages records and sessions alike and no test waits for real time.
 */
export async function startBridgeOnEmulatorClock(
  options: Omit<LocalBridgeOptions, 'clock'> = {},
): Promise<LocalBridge> {
  // The bridge takes its clock before the emulator it starts exists: forward to it once it does.
  let clock: { now(): number } | undefined;
  const bridge = await startLocalBridge({
    ...options,
    clock: {
      now: () => {
        if (!clock) throw new Error('the bridge read its clock before the emulator was running');
        return clock.now();
      },
    },
  });
  clock = emulatorClock(bridge.emulator);
  return bridge;
}

/**
 * One reaper run with no deadline unless the test gives one (`remainingTimeMs`, tied to what
 * the run has done so far): a busy machine makes it slower, never makes it stop early.
 */
export function reapOnce(bridge: LocalBridge, options: ReaperRunOptions = {}): Promise<ReaperRunResult> {
  return bridge.runReaperOnce({ remainingTimeMs: () => Number.POSITIVE_INFINITY, ...options });
}

/** The default emulator with room for 5,000 sessions in every region: tests that are not about capacity. */
export function roomyEmulator(): EmulatorConfigInput {
  const config = structuredClone(defaultEmulatorConfigInput);
  for (const r of config.regions) r.capacity = 5_000;
  return config;
}
