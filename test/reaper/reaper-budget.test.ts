import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { REAPER_RESERVE_MS } from '../../lambdas/core/reaper/run-reaper.ts';
import {
  makeReaperHandler,
  REAPER_RETRIES,
  type ReaperHandlerDeps,
  worstCallMs,
} from '../../lambdas/handlers/reaper-handler.ts';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import { silentMetrics } from '../../tools/local/silent-metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingPublisher } from '../fakes/publisher.ts';
import { InMemorySessionStore } from '../fakes/session-store.ts';
import { FakeArchive, LocatedFakeGameye } from './fakes.ts';

const config = parseBridgeConfig({
  deploymentId: 'test',
  sessionNamespace: '3b241101-e2bb-4255-8caf-4136c566a962',
  regionPreference: ['eu-west-1'],
  profiles: { arena: { image: 'arena-server' } },
});

/** The reaper's handler over empty fakes; `overrides` replace any of its deps. */
function handlerWith(overrides: Partial<ReaperHandlerDeps> = {}) {
  const store = new InMemorySessionStore();
  return makeReaperHandler({
    config,
    store,
    index: store,
    archive: new FakeArchive(),
    archivePrefix: 'sessions',
    publisher: new RecordingPublisher(),
    gameyeFor: () => new LocatedFakeGameye(),
    clock: new ManualClock(),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: silentMetrics(),
    ...overrides,
  });
}

describe("the reaper's metrics", () => {
  it('report the archive backlog every run, in seconds, 0 when nothing waits', async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const reap = handlerWith({ metrics });

    await reap({}, { getRemainingTimeInMillis: () => 60_000 });

    expect(added).toHaveBeenCalledWith(METRICS.archiveBacklogAge.name, 'Seconds', 0);
  });

  it('report the peak memory every run, in MB, and publish it', async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const published = vi.spyOn(metrics, 'publishStoredMetrics');
    const reap = handlerWith({ metrics, peakMemoryMb: () => 248.6 });

    await reap({}, { getRemainingTimeInMillis: () => 60_000 });

    expect(added).toHaveBeenCalledWith(METRICS.reaperPeakMemory.name, 'Megabytes', 249);
    expect(published).toHaveBeenCalled();
  });

  it('report the peak memory of a run that failed too, since it may have failed for memory', async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const reap = handlerWith({
      metrics,
      peakMemoryMb: () => 500,
      gameyeFor: () => {
        throw new Error('the token could not be read');
      },
    });

    await expect(reap({}, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(/token/);

    expect(added).toHaveBeenCalledWith(METRICS.reaperPeakMemory.name, 'Megabytes', 500);
  });

  it("report this process's own peak by default: its RSS high-water mark, in MB", async () => {
    const metrics = silentMetrics();
    const added = vi.spyOn(metrics, 'addMetric');
    const reap = handlerWith({ metrics });
    const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;

    await reap({}, { getRemainingTimeInMillis: () => 60_000 });

    const call = added.mock.calls.find(([name]) => name === METRICS.reaperPeakMemory.name);
    const reportedMb = call?.[2] ?? 0;
    // A high-water mark: at least what the process held before the run, at most its mark now
    // (maxRSS is in KB, so a value off by 1024 fails one bound or the other).
    expect(reportedMb).toBeGreaterThanOrEqual(Math.floor(rssBeforeMb) - 1);
    expect(reportedMb).toBeLessThanOrEqual(Math.ceil(process.resourceUsage().maxRSS / 1024) + 1);
  });
});

describe("the reaper's time budget", () => {
  it('gives every Gameye call a timeout whose worst case (each attempt timing out, the longest backoff) fits the reserve', async () => {
    const timeouts: number[] = [];
    const reap = handlerWith({
      gameyeFor: (timeoutMs) => {
        timeouts.push(timeoutMs);
        return new LocatedFakeGameye();
      },
    });

    await reap({}, { getRemainingTimeInMillis: () => 60_000 });

    expect(timeouts).toHaveLength(1);
    const [timeoutMs = Number.POSITIVE_INFINITY] = timeouts;
    expect(worstCallMs(timeoutMs, REAPER_RETRIES)).toBeLessThanOrEqual(REAPER_RESERVE_MS);
    // Not starved either: most of the reserve goes to the attempts themselves.
    expect(timeoutMs * REAPER_RETRIES.maxAttempts).toBeGreaterThan(REAPER_RESERVE_MS / 2);
  });
});
