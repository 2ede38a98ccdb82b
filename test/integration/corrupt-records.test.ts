/**
 * A session record the reaper cannot read (a hand-edited or half-migrated item) is skipped so
 * it does not stop the reaper for every other session, and counted as CorruptRecordsSkipped,
 * the metric the CorruptRecords alarm watches, with its match id in an error log line.
 */

import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { putCorruptActiveItem } from '../support/corrupt-item.ts';
import { useLocalAws } from '../support/local-aws.ts';

describe('a corrupt session record', () => {
  const local = useLocalAws();

  it('is skipped by the reaper, counted and logged with its match id', async () => {
    const { aws, resources: res } = local;
    await putCorruptActiveItem(aws.clients.dynamodb, res.tableName, 'corrupt-1');
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const logger = new Logger({ logLevel: 'SILENT' });
    const errors = vi.spyOn(logger, 'error');
    const deps = reaperDeps({
      env: {
        tableName: res.tableName,
        topicArn: res.topicArn,
        archiveBucketName: res.bucket,
        gameyeBaseUrl: 'http://127.0.0.1:1',
        token: { token: 'unused' },
        config: parseBridgeConfig(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8'))),
      },
      clients: aws.clients,
      logger,
      metrics,
    });

    await expect(deps.index.listActive()).resolves.toEqual([]);
    expect(added.mock.calls.filter(([name]) => name === METRICS.corruptRecordsSkipped.name)).toHaveLength(1);
    expect(errors).toHaveBeenCalledWith(
      'corrupt session record skipped by the reaper',
      expect.objectContaining({ matchId: 'corrupt-1' }),
    );
  });
});
