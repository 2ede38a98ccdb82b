/**
 * A full fleet on real local services: when every region that could host a match is at
 * capacity, the match waits (retried with backoff through its message's visibility) instead
 * of failing for good, and is placed as soon as capacity returns, without anyone resending
 * it. If capacity never returns within the retry window, the last delivery records a
 * retryable `no-capacity` failure, and a redrive places the match afresh.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { GameyeClient } from '../../lambdas/gameye/index.ts';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import { type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import { allRecords, backendEvents } from './helpers.ts';

let bridge: LocalBridge | undefined;
let gameye: GameyeClient | undefined;
afterEach(async () => {
  await gameye?.close();
  await bridge?.close();
  bridge = undefined;
});

const match = (matchId: string) =>
  JSON.stringify({
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: [{ id: `${matchId}-p1`, latencies: { dublin: 20, frankfurt: 30 } }],
  });

/** Poll a condition of the local services until it holds (no fixed wait: it returns as soon as it does). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A bridge over an emulator whose every region holds one session, and that one session in each. */
async function fullFleet(): Promise<{ bridge: LocalBridge; fillers: string[] }> {
  const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
  for (const r of emulatorConfig.regions) r.capacity = 1;
  const b = await startLocalBridge({ bridgeConfig: quickRetryLocalConfig(), emulatorConfig });
  gameye = new GameyeClient({ baseUrl: b.emulator.url, token: b.emulator.token });
  const fillers: string[] = [];
  for (const region of emulatorConfig.regions) {
    const started = await gameye.startSession({ location: region.name, image: 'arena-server' });
    fillers.push(started.id);
  }
  return { bridge: b, fillers };
}

async function recordOf(b: LocalBridge, matchId: string) {
  return (await allRecords(b)).find((r) => r.matchId === matchId);
}

describe('a full fleet', () => {
  it('makes a match wait, and places it once capacity returns, without a resend', async () => {
    const { bridge: b, fillers } = await fullFleet();
    bridge = b;
    b.eventSource.start();
    const asked = b.emulator.admin.stats()['get-available-locations'];
    await b.aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: b.resources.matchesQueueUrl, MessageBody: match('waits-1') }),
    );

    // The bridge looked, found no region, and recorded nothing: the match is waiting in the queue.
    await until('the bridge to ask Gameye for capacity', async () =>
      b.emulator.admin.stats()['get-available-locations'] > asked ? true : undefined,
    );
    expect(await recordOf(b, 'waits-1')).toBeUndefined();

    for (const id of fillers) await gameye?.stopSession(id);
    const placed = await until('the match to be placed', async () => {
      const r = await recordOf(b, 'waits-1');
      return r?.state === 'READY' ? r : undefined;
    });

    expect(placed.region).toMatch(/^eu-/);
    const events = await backendEvents(b);
    expect(events.map((e) => e.type)).toEqual(['SessionReady']);
  }, 90_000);

  it('records no-capacity when the retries run out, and a redrive places the match afresh', async () => {
    const { bridge: b, fillers } = await fullFleet();
    bridge = b;
    b.eventSource.start();
    await b.aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: b.resources.matchesQueueUrl, MessageBody: match('waits-2') }),
    );

    const failed = await until('the last delivery to record the failure', async () => {
      const r = await recordOf(b, 'waits-2');
      return r?.state === 'FAILED' ? r : undefined;
    });
    expect(failed.failure).toMatchObject({ reason: 'no-capacity' });
    const parked = await until('the DLQ copy', async () => {
      const out = await b.aws.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: b.resources.deadLetterQueueUrl,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      return out.Messages?.[0];
    });
    expect(parked.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue).toBe('no-capacity');
    expect((await backendEvents(b)).map((e) => e.type)).toEqual(['SessionFailed']);

    // Capacity returns; an operator redrives the DLQ (as `bridge dlq redrive` does).
    for (const id of fillers) await gameye?.stopSession(id);
    await b.aws.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: b.resources.matchesQueueUrl, MessageBody: parked.Body ?? '' }),
    );
    await b.aws.clients.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: b.resources.deadLetterQueueUrl,
        ReceiptHandle: parked.ReceiptHandle,
      }),
    );

    const placed = await until('the redriven match to be placed', async () => {
      const r = await recordOf(b, 'waits-2');
      return r?.state === 'READY' ? r : undefined;
    });
    expect(placed.sessionId).toBe(failed.sessionId);
    const ready = (await backendEvents(b)).filter((e) => e.type === 'SessionReady');
    expect(ready).toHaveLength(1);
    const sessions = b.emulator.admin.sessions().filter((s) => s.labels['bridge-match-id'] === 'waits-2');
    expect(sessions).toHaveLength(1);
  }, 120_000);
});
