/**
 * The reaper alone in a process, for bench/reaper.bench.ts: wired exactly as the Lambda is
 * (`reaperDeps` → `makeReaperHandler`) against services that run in another process, so its
 * wall time, CPU time, heap and RSS are the reaper's own. The benchmark bundles this file as
 * the construct bundles the function (BUNDLE_OPTIONS) and runs the bundle, so the memory
 * measured is that of shipped code; that is why it imports nothing outside `lambdas/` but
 * types (the local tools would bundle dynalite and fauxqs into it).
 *
 * Started with one argument, the JSON of {@link WorkerSetup}. Reads one JSON {@link RunRequest}
 * per stdin line, answers one JSON {@link RunReport} per stdout line; exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { RequestCounter } from '../lambdas/adapters/request-counter.ts';
import { parseBridgeConfig } from '../lambdas/core/config.ts';
import type { ReaperRunResult } from '../lambdas/core/reaper/run-reaper.ts';
import { makeReaperHandler } from '../lambdas/handlers/reaper-handler.ts';
import { reaperDeps } from '../lambdas/runtime/reaper-deps.ts';
import type { ChildServices } from '../tools/local/child-services.ts';

export interface WorkerSetup {
  readonly services: Omit<ChildServices, 'stop'>;
  /** The bridge config (validated here, as at a cold start). */
  readonly bridgeConfig: unknown;
}

export interface RunRequest {
  /** The bridge's clock runs this far ahead of real time (the emulator's clock was advanced as much). */
  readonly clockOffsetMs: number;
  /** What `getRemainingTimeInMillis` counts down from: the reaper's deployed timeout. */
  readonly budgetMs: number;
  readonly reserveMs: number;
  readonly concurrency?: number;
}

export interface RunReport {
  readonly result: ReaperRunResult;
  readonly wallMs: number;
  /** User + system CPU of this process during the run. */
  readonly cpuMs: number;
  /** Highest heap used and RSS sampled during the run (every 5 ms and after every GC). */
  readonly peakHeapMb: number;
  readonly peakRssMb: number;
  /** Highest heap committed by V8, and memory outside it (Buffers, native), sampled alike. */
  readonly peakHeapTotalMb: number;
  readonly peakExternalMb: number;
  /** The kernel's high-water mark of this process's RSS since it started (exact, not sampled). */
  readonly maxRssMb: number;
  readonly dynamodb: Record<string, number>;
  /** RSS and heap used before the first run: the loaded code, clients and config. */
  readonly idleRssMb: number;
  readonly idleHeapMb: number;
}

const MB = 1024 * 1024;
const setup = JSON.parse(process.argv[2] ?? '{}') as WorkerSetup;
const { endpoints, resources, gameye } = setup.services;
// Local services check no credentials, but the SDK insists on some.
const base = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const clients = {
  dynamodb: new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb }),
  sns: new SNSClient({ ...base, endpoint: endpoints.messaging }),
  s3: new S3Client({
    ...base,
    endpoint: endpoints.messaging,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  }),
};
const requests = new RequestCounter().attach(clients.dynamodb, 'dynamodb');
let clockOffsetMs = 0;
// Recorded, never printed: no CloudWatch agent reads EMF lines here.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const deps = reaperDeps({
  env: {
    tableName: resources.tableName,
    topicArn: resources.topicArn,
    archiveBucketName: resources.bucket,
    gameyeBaseUrl: gameye.url,
    token: { token: gameye.token },
    config: parseBridgeConfig(setup.bridgeConfig),
  },
  clients,
  logger: new Logger({ serviceName: 'gameye-bridge-reaper', logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'GameyeBridge', serviceName: 'gameye-bridge-reaper' }),
  clock: { now: () => Date.now() + clockOffsetMs },
});
const idle = process.memoryUsage();

async function run(request: RunRequest): Promise<RunReport> {
  clockOffsetMs = request.clockOffsetMs;
  const handler = makeReaperHandler(deps, {
    reserveMs: request.reserveMs,
    ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
  });
  requests.reset();
  let peakHeap = 0;
  let peakRss = 0;
  let peakHeapTotal = 0;
  let peakExternal = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
    peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
    peakExternal = Math.max(peakExternal, m.external);
  };
  // A timer cannot fire inside a long synchronous step (parsing a big answer): sampling after
  // every GC as well catches the heap as it was when V8 had to make room.
  const gcs = new PerformanceObserver(sample);
  gcs.observe({ entryTypes: ['gc'] });
  const timer = setInterval(sample, 5);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = Date.now() + request.budgetMs;
  try {
    const result = await handler({}, { getRemainingTimeInMillis: () => deadline - Date.now() });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sample();
    return {
      result,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakHeapMb: Math.round(peakHeap / MB),
      peakRssMb: Math.round(peakRss / MB),
      peakHeapTotalMb: Math.round(peakHeapTotal / MB),
      peakExternalMb: Math.round(peakExternal / MB),
      maxRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
      dynamodb: requests.snapshot(),
      idleRssMb: Math.round(idle.rss / MB),
      idleHeapMb: Math.round(idle.heapUsed / MB),
    };
  } finally {
    clearInterval(timer);
    gcs.disconnect();
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as RunRequest))}\n`);
}
for (const c of Object.values(clients)) c.destroy();
// The Gameye client's keep-alive pool would hold the process open.
process.exit(0);
