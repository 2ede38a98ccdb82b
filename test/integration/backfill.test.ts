/**
 * Backfills on real local services: every running match backfilled, each backfill delivered
 * 1 to 3 times, among backfills of matches that are over, unknown or invalid. No server is
 * started for a backfill, every assignment is announced with the running session's host and
 * ports (duplicates identically), and every failed backfill is in the DLQ with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import type { PlayersAssignedV1, SessionEvent } from '../../lambdas/core/events.ts';
import { type LocalBridge, startLocalBridge } from '../../tools/local/local-bridge.ts';
import { quickRetryLocalConfig } from '../fixtures/local-config.ts';
import { aMatchBackfilled } from '../fixtures/native.ts';
import {
  allRecords,
  backendEvents,
  drainQueue,
  roomyEmulator,
  seeded,
  sendBodies,
  sessionsByMatch,
  waitForDrain,
} from './helpers.ts';

const RUNNING = 30;
const matchIds = Array.from({ length: RUNNING + 1 }, (_, i) => `bf-${i}`);
/** The last match is ended before its backfill arrives. */
const ENDED = `bf-${RUNNING}`;
const running = matchIds.slice(0, RUNNING);

const matchFound = (matchId: string) =>
  JSON.stringify({
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: [
      { id: `${matchId}-a`, team: 'red', latencies: { dublin: 20, frankfurt: 40 } },
      { id: `${matchId}-b`, team: 'blue', latencies: { dublin: 30, frankfurt: 25 } },
    ],
  });
const backfill = (matchId: string, n = 1) =>
  JSON.stringify(
    aMatchBackfilled({
      matchId,
      backfillId: `${matchId}-bf${n}`,
      players: [{ id: `${matchId}-new${n}`, team: 'blue' }],
    }),
  );

describe('backfills on local services', () => {
  let bridge: LocalBridge;
  let events: SessionEvent[] = [];
  const failing = {
    unknown: backfill('bf-nobody'),
    over: backfill(ENDED),
    invalid: JSON.stringify({
      ...aMatchBackfilled({ matchId: 'bf-0', backfillId: 'bf-0-bad' }),
      players: [{ id: 'bad id!' }],
    }),
  };
  let deliveries = 0;

  beforeAll(async () => {
    bridge = await startLocalBridge({
      bridgeConfig: quickRetryLocalConfig(),
      emulatorConfig: roomyEmulator(),
      concurrency: 3,
    });
    bridge.eventSource.start();
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, matchIds.map(matchFound));
    await waitForDrain(bridge);
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, [
      JSON.stringify({ type: 'MatchEnded', version: 1, matchId: ENDED, reason: 'test' }),
    ]);
    await waitForDrain(bridge);
    await backendEvents(bridge); // The placements' own events: not what these tests look at.

    const rnd = seeded(21);
    const bodies: string[] = [];
    for (const [i, id] of running.entries()) {
      const ofThis = [backfill(id, 1), ...(i % 3 === 0 ? [backfill(id, 2)] : [])];
      for (const body of ofThis) {
        const copies = 1 + Math.floor(rnd() * 3);
        for (let c = 0; c < copies; c++) bodies.splice(Math.floor(rnd() * (bodies.length + 1)), 0, body);
      }
    }
    bodies.push(...Object.values(failing));
    deliveries = bodies.length;
    await sendBodies(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl, bodies);
    await waitForDrain(bridge);
    events = await backendEvents(bridge);
  }, 300_000);
  afterAll(async () => bridge?.close());

  it('starts no server for a backfill', () => {
    expect(deliveries).toBeGreaterThan(running.length);
    expect(bridge.emulator.admin.sessions()).toHaveLength(matchIds.length);
    for (const [id, sessions] of sessionsByMatch(bridge)) expect(sessions, id).toHaveLength(1);
  });

  it('announces each backfill with its match’s host and ports, every duplicate identically', async () => {
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    const assigned = events.filter((e): e is PlayersAssignedV1 => e.type === 'PlayersAssigned');
    const byBackfill = new Map<string, PlayersAssignedV1[]>();
    for (const e of assigned) byBackfill.set(e.backfillId, [...(byBackfill.get(e.backfillId) ?? []), e]);

    const expected = running.flatMap((id, i) => [`${id}-bf1`, ...(i % 3 === 0 ? [`${id}-bf2`] : [])]);
    expect(new Set(byBackfill.keys())).toEqual(new Set(expected));
    for (const [backfillId, copies] of byBackfill) {
      const [first] = copies;
      for (const copy of copies) expect(copy, backfillId).toEqual(first);
      const record = records.get(first?.matchId ?? '');
      expect(first).toMatchObject({
        sessionId: record?.sessionId,
        region: record?.region,
        host: record?.host,
      });
      expect(record?.backfills?.map((b) => b.backfillId)).toContain(backfillId);
    }
  });

  it('keeps each match READY with its own players; backfilled players are recorded beside them', async () => {
    const records = new Map((await allRecords(bridge)).map((r) => [r.matchId, r]));
    for (const id of running) {
      const record = records.get(id);
      expect(record?.state, id).toBe('READY');
      expect(record?.players.map((p) => p.id)).toEqual([`${id}-a`, `${id}-b`]);
      const first = record?.backfills?.find((b) => b.backfillId === `${id}-bf1`);
      expect(first?.players, id).toEqual([{ id: `${id}-new1`, team: 'blue' }]);
    }
  });

  it('parks each failed backfill in the DLQ with its reason, and announces it with BackfillFailed', async () => {
    const dlq = await drainQueue(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl);
    const reasonOf = (body: string) =>
      dlq.find((d) => d.Body === body)?.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue;

    expect(dlq).toHaveLength(3);
    expect(reasonOf(failing.unknown)).toBe('unknown-match');
    expect(reasonOf(failing.over)).toBe('match-over');
    expect(reasonOf(failing.invalid)).toBe('invalid-event');
    const failed = events.filter((e) => e.type === 'BackfillFailed');
    expect(failed.map((e) => e.type === 'BackfillFailed' && [e.matchId, e.reason]).sort()).toEqual(
      [
        ['bf-0', 'invalid-event'],
        ['bf-nobody', 'unknown-match'],
        [ENDED, 'match-over'],
      ].sort(),
    );
  });
});
