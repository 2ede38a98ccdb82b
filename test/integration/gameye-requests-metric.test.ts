/**
 * Both functions count every Gameye attempt (`GameyeRequests`) and every attempt answered 5xx
 * (`GameyeServerErrors`): the two sides of the Gameye 5xx rate alarm, counted alike.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import type { RuntimeEnv } from '../../lambdas/runtime/env.ts';
import { placementDeps } from '../../lambdas/runtime/placement-deps.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import { type RunningEmulator, startEmulator } from '../../tools/gameye-emulator/index.ts';
import { localClients } from '../../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';

const CALL_TIMEOUT_MS = 30_000;

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

  /**
   * A function's Gameye port, composed as the function composes it, and how often each metric
   * was added meanwhile. The call timeout is the test's own: a busy machine is no Gameye timeout.
   */
  async function countingPort<P>(
    compose: (deps: { env: RuntimeEnv; clients: typeof clients; logger: Logger; metrics: Metrics }) => {
      gameyeFor(timeoutMs: number, onError: () => void): P | Promise<P>;
    },
  ): Promise<{ port: P; count: (metric: string) => number }> {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const port = await compose({ env, clients, logger, metrics }).gameyeFor(CALL_TIMEOUT_MS, () => {});
    return { port, count: (metric) => added.mock.calls.filter(([name]) => name === metric).length };
  }

  it('counts each placement call at Gameye', async () => {
    const { port, count } = await countingPort(placementDeps);

    await port.availableLocations('arena-server');
    await port.tagExists('eu-west-1', 'arena-server', '1.5.0');

    expect(count(METRICS.gameyeRequests.name)).toBe(2);
  });

  it('counts every 5xx attempt, retried ones included, against every attempt', async () => {
    emulator.admin.setFaults('get-available-locations', { error500Probability: 1 });
    try {
      const { port, count } = await countingPort(placementDeps);

      await expect(port.availableLocations('arena-server')).rejects.toMatchObject({ kind: 'unavailable' });

      expect(count(METRICS.gameyeRequests.name)).toBeGreaterThan(1); // the placement retries 5xx
      expect(count(METRICS.gameyeServerErrors.name)).toBe(count(METRICS.gameyeRequests.name));
    } finally {
      emulator.admin.reset();
    }
  });

  it('counts each reaper call at Gameye', async () => {
    const { port, count } = await countingPort(reaperDeps);

    await port.listDeploymentSessions('local');

    expect(count(METRICS.gameyeRequests.name)).toBe(1);
  });
});
