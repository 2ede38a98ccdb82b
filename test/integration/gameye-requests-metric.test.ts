/**
 * Both functions count every Gameye attempt (`GameyeRequests`) and every attempt answered 5xx
 * (`GameyeServerErrors`): the two sides of the Gameye 5xx rate alarm, counted alike.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import type { RuntimeEnv } from '../../lambdas/runtime/env.ts';
import { placementDeps } from '../../lambdas/runtime/placement-deps.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import { type RunningEmulator, startEmulator } from '../../tools/gameye-emulator/index.ts';
import { localClients } from '../../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH, silentMetrics } from '../../tools/local/local-bridge.ts';

describe('Gameye call metrics', () => {
  let emulator: RunningEmulator;
  let env: RuntimeEnv;
  beforeAll(async () => {
    emulator = await startEmulator();
    env = {
      tableName: 't',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      deadLetterQueueUrl: 'http://127.0.0.1:1/q',
      archiveBucketName: 'b',
      gameyeBaseUrl: emulator.url,
      token: { token: emulator.token },
      config: parseBridgeConfig(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8'))),
    };
  });
  afterAll(async () => emulator?.close());

  const clients = localClients({ dynamodb: 'http://127.0.0.1:1', messaging: 'http://127.0.0.1:1' });
  const logger = new Logger({ logLevel: 'SILENT' });

  it('counts each placement call at Gameye', async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const deps = placementDeps({ env, clients, logger, metrics });
    const port = await deps.gameyeFor(5_000, () => {});

    await port.availableLocations('arena-server');
    await port.tagExists('eu-west-1', 'arena-server', '1.5.0');

    const requests = added.mock.calls.filter(([name]) => name === METRICS.gameyeRequests.name);
    expect(requests).toHaveLength(2);
  });

  it('counts every 5xx attempt, retried ones included, against every attempt', async () => {
    emulator.admin.setFaults('get-available-locations', { error500Probability: 1 });
    try {
      const metrics = silentMetrics();
      const added = vi.spyOn(metrics, 'addMetric');
      const deps = placementDeps({ env, clients, logger, metrics });
      const port = await deps.gameyeFor(5_000, () => {});

      await expect(port.availableLocations('arena-server')).rejects.toMatchObject({ status: 500 });

      const count = (name: string) => added.mock.calls.filter(([n]) => n === name).length;
      expect(count(METRICS.gameyeRequests.name)).toBeGreaterThan(1); // the placement retries 5xx
      expect(count(METRICS.gameyeServerErrors.name)).toBe(count(METRICS.gameyeRequests.name));
    } finally {
      emulator.admin.reset();
    }
  });

  it('counts each reaper call at Gameye', async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const deps = reaperDeps({ env, clients, logger, metrics });
    const port = await deps.gameyeFor(5_000, () => {});

    await port.listDeploymentSessions('local');

    expect(added.mock.calls.filter(([name]) => name === METRICS.gameyeRequests.name)).toHaveLength(1);
  });
});
