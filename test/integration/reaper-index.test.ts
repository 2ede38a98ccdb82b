/**
 * The active-sessions index as the reaper reads it, on dynalite: only the attributes the policy
 * decides on come back, whatever else a record holds; a record whose whole form is corrupt is
 * still caught, counted and left alone when the reaper reads it whole to act on it.
 */

import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { ACTIVE_ENTRY_ATTRIBUTES, ActiveEntry } from '../../lambdas/core/reaper/active-entry.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import { newPlacingRecord, type SessionRecord, toReady } from '../../lambdas/core/session-record.ts';
import { makeReaperHandler } from '../../lambdas/handlers/reaper-handler.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import { type RunningEmulator, startEmulator } from '../../tools/gameye-emulator/index.ts';
import {
  type LocalAws,
  type LocalResources,
  provisionLocalResources,
  startLocalAws,
} from '../../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { aPlaced } from '../fixtures/placed.ts';

const config = parseBridgeConfig(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')));

function placing(matchId: string, now: number): SessionRecord {
  return newPlacingRecord({
    matchId,
    sessionId: sessionIdFor(matchId, config.sessionNamespace),
    profile: 'arena-casual',
    image: 'arena-server',
    players: Array.from({ length: 10 }, (_, i) => ({ id: `${matchId}-p${i}`, team: i < 5 ? 'red' : 'blue' })),
    activeShards: config.activeShards,
    now,
  });
}

describe('the active index as the reaper reads it', () => {
  let aws: LocalAws;
  let res: LocalResources;
  let emulator: RunningEmulator;
  beforeAll(async () => {
    aws = await startLocalAws();
    res = await provisionLocalResources(aws.clients);
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
    await aws?.close();
  });

  // The reaper's clock, injected: records are made against it, never against the machine's.
  const clock = new ManualClock();
  const deps = (metrics = silentMetrics(), logger = new Logger({ logLevel: 'SILENT' })) =>
    reaperDeps({
      clock,
      env: {
        tableName: res.tableName,
        topicArn: res.topicArn,
        archiveBucketName: res.bucket,
        gameyeBaseUrl: emulator.url,
        token: { token: emulator.token },
        config,
      },
      clients: aws.clients,
      logger,
      metrics,
    });

  it('answers only the attributes the reaper decides on, whatever else the record holds', async () => {
    const record = toReady(
      placing('whole-1', clock.now()),
      aPlaced({ host: '198.51.100.11', ports: [{ protocol: 'udp', container: 7777, host: 20001 }] }),
      clock.now(),
    );
    await aws.clients.dynamodb.send(
      new PutItemCommand({
        TableName: res.tableName,
        Item: marshall(record, { removeUndefinedValues: true }),
      }),
    );

    const entries = await deps().index.listActive();

    const entry = entries.find((e) => e.matchId === 'whole-1');
    expect(entry).toEqual(ActiveEntry.parse(record));
    expect(Object.keys(entry ?? {}).every((k) => (ACTIVE_ENTRY_ATTRIBUTES as string[]).includes(k))).toBe(
      true,
    );
    expect(entry).not.toHaveProperty('players');
  });

  it('counts and leaves alone a record whose entry is valid but whose whole form is not, once it acts on it', async () => {
    // A PLACING record past the retry window with no session at Gameye: the run fails it, so it
    // reads it whole first, and finds a hand-edited player list.
    const record = placing('corrupt-whole', clock.now() - config.orphanGraceMs - 60_000);
    const item = marshall(record, { removeUndefinedValues: true });
    item.players = { S: 'not a list' };
    await aws.clients.dynamodb.send(new PutItemCommand({ TableName: res.tableName, Item: item }));
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const reap = makeReaperHandler(deps(metrics), { reserveMs: 0 });

    const run = await reap({}, { getRemainingTimeInMillis: () => 60_000 });

    expect(run.abandoned).toBe(0);
    expect(added.mock.calls.filter(([name]) => name === METRICS.corruptRecordsSkipped.name)).toHaveLength(1);
    const entries = await deps().index.listActive();
    expect(entries.find((e) => e.matchId === 'corrupt-whole')).toMatchObject({
      state: 'PLACING',
      version: 1,
    });
  });
});
