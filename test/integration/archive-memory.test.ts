import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveStore } from '../../lambdas/core/ports.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import { makeReaperHandler } from '../../lambdas/handlers/reaper-handler.ts';
import type { RuntimeEnv } from '../../lambdas/runtime/env.ts';
import { placementDeps } from '../../lambdas/runtime/placement-deps.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { defaultEmulatorConfigInput } from '../../tools/gameye-emulator/index.ts';
import { type ChildServices, startChildServices } from '../../tools/local/child-services.ts';
import { localClients } from '../../tools/local/local-aws.ts';
import { localRuntimeEnv } from '../../tools/local/local-bridge.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { toRecord } from '../../tools/local/sqs-event-source.ts';
import { steadyContext } from '../support/lambda-context.ts';

const MB = 1024 * 1024;
const BIG = '/home/gameserver/logs/big.bin';

describe('archiving a 100 MB artifact', () => {
  let services: ChildServices;
  let env: RuntimeEnv;
  beforeAll(async () => {
    const emulator = structuredClone(defaultEmulatorConfigInput);
    emulator.artifacts = { synthetic: { path: BIG, sizeBytes: 100 * MB } };
    services = await startChildServices(emulator);
    env = localRuntimeEnv(services.resources, services.gameye);
  }, 60_000);
  afterAll(async () => services?.stop());

  it('streams it to S3 holding a few parts at a time, and records its size and SHA-256', async () => {
    const clients = localClients(services.endpoints);
    const quiet = { logger: new Logger({ logLevel: 'SILENT' }), metrics: silentMetrics() };
    const place = makePlacementHandler(placementDeps({ env, clients, ...quiet }));
    const body = JSON.stringify({
      version: 1,
      matchId: 'big-artifact',
      profile: 'arena-casual',
      players: [{ id: 'p1', latencies: { frankfurt: 20 } }],
    });
    const placed = await place(
      { Records: [toRecord({ MessageId: 'm-1', ReceiptHandle: 'r', Body: body }, 'local')] },
      steadyContext(),
    );
    expect(placed.batchItemFailures).toEqual([]);
    // MatchEnded stops the session on the placement path; the reaper archives it.
    const ended = await place(
      {
        Records: [
          toRecord(
            {
              MessageId: 'm-2',
              ReceiptHandle: 'r',
              Body: JSON.stringify({ type: 'MatchEnded', version: 1, matchId: 'big-artifact' }),
            },
            'local',
          ),
        ],
      },
      steadyContext(),
    );
    expect(ended.batchItemFailures).toEqual([]);

    // What the process still holds: the JS heap plus Buffers (streamed bytes live in Buffers,
    // outside the heap), sampled as each chunk passes on its way to S3 (the moments buffering
    // would show, whatever the machine's speed), with a collection every few chunks so garbage
    // is not counted (the workers run with --expose-gc). RSS is logged too; it includes garbage
    // not yet returned.
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs workers with --expose-gc').toBeDefined();
    const held = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = held();
    const baselineRss = process.memoryUsage().rss;
    let peak = baseline;
    let peakRss = baselineRss;
    let chunks = 0;
    async function* sampled(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
      for await (const chunk of body) {
        if (++chunks % 16 === 0) gc?.();
        peak = Math.max(peak, held());
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        yield chunk;
      }
    }
    const reaper = reaperDeps({ env, clients, ...quiet });
    const archive: ArchiveStore = {
      upload: (key, body, options) => reaper.archive.upload(key, sampled(body), options),
    };
    const reap = makeReaperHandler({ ...reaper, archive }, { reserveMs: 0 });

    const run = await reap({}, steadyContext());

    expect(run).toMatchObject({ ended: 1, pending: 0 });
    const record = await reaper.store.get('big-artifact');
    const logs = record?.archive?.files.find((f) => f.path === '/home/gameserver/logs');
    expect(logs?.size).toBeGreaterThan(100 * MB);
    expect(logs?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Sampled all the way: 100 MB passed through in many chunks, not one buffered lump.
    expect(chunks).toBeGreaterThan(100);
    console.log(
      `archived ${Math.round((logs?.size ?? 0) / MB)} MB; heap+buffers +${Math.round((peak - baseline) / MB)} MB, RSS +${Math.round((peakRss - baselineRss) / MB)} MB`,
    );
    // Buffering the artifact whole would hold 100 MB; streaming holds a few parts at a time.
    expect(peak - baseline).toBeLessThan(60 * MB);
    for (const c of [clients.dynamodb, clients.sns, clients.sqs, clients.s3]) c.destroy();
  }, 180_000);
});
