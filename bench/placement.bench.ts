/**
 * Placement benchmark on local services (dynalite, fauxqs, the emulator), with the emulator
 * answering `POST /session` after a fixed 50 ms:
 *
 * 1. Bridge overhead per match: from the handler's start to SessionReady published, minus the
 *    time spent inside Gameye calls, over N matches invoked one at a time (p50, p99).
 * 2. Concurrency inside a batch: a batch of 10 matches against a batch of 1 (medians).
 * 3. AWS requests per match (DynamoDB, SNS).
 *
 *   node bench/placement.bench.ts [--matches 1000] [--batches 30] [--json]
 */

import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { RequestCounter } from '../lambdas/adapters/request-counter.ts';
import type { GameyePort } from '../lambdas/core/ports.ts';
import { makePlacementHandler } from '../lambdas/handlers/placement-handler.ts';
import { placementDeps } from '../lambdas/runtime/placement-deps.ts';
import { defaultEmulatorConfigInput } from '../tools/gameye-emulator/index.ts';
import { startChildServices } from '../tools/local/child-services.ts';
import { localClients } from '../tools/local/local-aws.ts';
import { localRuntimeEnv } from '../tools/local/local-bridge.ts';
import { silentMetrics } from '../tools/local/silent-metrics.ts';
import { fakeContext } from '../tools/local/sqs-event-source.ts';

const TARGETS = { p50Ms: 15, p99Ms: 40, batchRatio: 1.5 } as const;
const GAMEYE_MS = 50;

const { values } = parseArgs({
  options: {
    matches: { type: 'string', default: '1000' },
    batches: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const MATCHES = Number(values.matches);
const BATCHES = Number(values.batches);

const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
for (const r of emulatorConfig.regions) r.capacity = 1_000_000;
emulatorConfig.latency = {
  fixedMs: 0,
  jitterMs: 0,
  operations: { 'session-run': { fixedMs: GAMEYE_MS, jitterMs: 0 } },
};

// The services run in a child process: in AWS the bridge does not share its CPU with them.
const services = await startChildServices(emulatorConfig);
const clients = localClients(services.endpoints);
const requests = new RequestCounter().attach(clients.dynamodb, 'dynamodb').attach(clients.sns, 'sns');
const deps = placementDeps({
  env: localRuntimeEnv(services.resources, services.gameye),
  clients,
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: silentMetrics(),
});

// Time spent inside Gameye calls, per match, measured around the port the handler uses.
const gameyeMs = new Map<string, number>();
const publishedAt = new Map<string, number>();
const handler = makePlacementHandler({
  ...deps,
  gameyeFor: async (timeoutMs, onError) => {
    const port: GameyePort = await deps.gameyeFor(timeoutMs, onError);
    const timed = async <T>(matchId: string | undefined, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        if (matchId) gameyeMs.set(matchId, (gameyeMs.get(matchId) ?? 0) + performance.now() - t0);
      }
    };
    return {
      availableLocations: (image) => timed(undefined, () => port.availableLocations(image)),
      tagExists: (r, i, v) => timed(undefined, () => port.tagExists(r, i, v)),
      startSession: (req) => timed(req.labels['bridge-match-id'], () => port.startSession(req)),
      describeSession: (id) => port.describeSession(id),
      stopSession: (id) => port.stopSession(id),
    };
  },
  publisher: {
    publish: async (event) => {
      await deps.publisher.publish(event);
      if (event.type === 'SessionReady') publishedAt.set(event.matchId, performance.now());
    },
  },
});

const body = (matchId: string): string =>
  JSON.stringify({
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: [
      { id: `${matchId}-a`, latencies: { frankfurt: 20, dublin: 30, virginia: 90 } },
      { id: `${matchId}-b`, latencies: { frankfurt: 25, dublin: 28, virginia: 95 } },
    ],
  });
const event = (ids: string[]): SQSEvent => ({
  Records: ids.map((id, i) => ({
    messageId: `${id}-msg-${i}`,
    receiptHandle: 'r',
    body: body(id),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'bench',
    awsRegion: 'local',
  })),
});
const invoke = async (ids: string[]): Promise<number> => {
  const t0 = performance.now();
  const res = await handler(event(ids), fakeContext(Date.now() + 30_000));
  if (res.batchItemFailures.length > 0)
    throw new Error(`bench: ${res.batchItemFailures.length} records failed`);
  return performance.now() - t0;
};

// Warm up: cold caches and connection pools are a cold start, not steady-state overhead.
for (let i = 0; i < 20; i++) await invoke([`warm-${i}`]);
requests.reset();

const overheads: number[] = [];
const progressEvery = Math.max(1, Math.floor(MATCHES / 10));
for (let i = 0; i < MATCHES; i++) {
  const id = `bench-${i}`;
  const t0 = performance.now();
  await handler(event([id]), fakeContext(Date.now() + 30_000));
  const done = publishedAt.get(id);
  if (done === undefined) throw new Error(`bench: ${id} was not published`);
  overheads.push(done - t0 - (gameyeMs.get(id) ?? 0));
  if (!values.json && (i + 1) % progressEvery === 0)
    process.stderr.write(`  overhead: ${i + 1}/${MATCHES} matches\r`);
}
const perMatch = {
  dynamodb: requests.total('dynamodb') / MATCHES,
  sns: requests.total('sns') / MATCHES,
};

const single: number[] = [];
const batch: number[] = [];
let singleCpu = 0;
let batchCpu = 0;
for (let b = 0; b < BATCHES; b++) {
  let cpu = process.cpuUsage();
  single.push(await invoke([`single-${b}`]));
  cpu = process.cpuUsage(cpu);
  singleCpu += (cpu.user + cpu.system) / 1000;
  cpu = process.cpuUsage();
  batch.push(await invoke(Array.from({ length: 10 }, (_, i) => `batch-${b}-${i}`)));
  cpu = process.cpuUsage(cpu);
  batchCpu += (cpu.user + cpu.system) / 1000;
}
for (const c of [clients.dynamodb, clients.sns, clients.sqs, clients.s3]) c.destroy();
await services.stop();

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const result = {
  node: process.version,
  matches: MATCHES,
  gameyePostMs: GAMEYE_MS,
  overheadMs: { p50: round(q(overheads, 50)), p95: round(q(overheads, 95)), p99: round(q(overheads, 99)) },
  batchMs: {
    single: round(q(single, 50)),
    batchOf10: round(q(batch, 50)),
    ratio: round(q(batch, 50) / q(single, 50)),
  },
  /** The bridge's own CPU time per invocation (this process only; the services run in a child). */
  handlerCpuMs: { single: round(singleCpu / BATCHES), batchOf10: round(batchCpu / BATCHES) },
  requestsPerMatch: { dynamodb: round(perMatch.dynamodb), sns: round(perMatch.sns) },
};
const met = {
  p50: result.overheadMs.p50 <= TARGETS.p50Ms,
  p99: result.overheadMs.p99 <= TARGETS.p99Ms,
  batch: result.batchMs.ratio <= TARGETS.batchRatio,
};
function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...result, targets: TARGETS, met })}\n`);
} else {
  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  process.stdout.write(
    [
      '',
      `Placement benchmark (${result.node}, ${MATCHES} matches, emulator POST /session = ${GAMEYE_MS} ms)`,
      '',
      '| measure | value | target |',
      '|---|---:|---|',
      `| bridge overhead p50 | ${result.overheadMs.p50} ms | ≤ ${TARGETS.p50Ms} ms: ${ok(met.p50)} |`,
      `| bridge overhead p95 | ${result.overheadMs.p95} ms | |`,
      `| bridge overhead p99 | ${result.overheadMs.p99} ms | ≤ ${TARGETS.p99Ms} ms: ${ok(met.p99)} |`,
      `| batch of 1 (median) | ${result.batchMs.single} ms | |`,
      `| batch of 10 (median) | ${result.batchMs.batchOf10} ms | ≤ ${TARGETS.batchRatio}× batch of 1: ${ok(met.batch)} (${result.batchMs.ratio}×) |`,
      `| handler CPU, batch of 1 / of 10 | ${result.handlerCpuMs.single} ms / ${result.handlerCpuMs.batchOf10} ms | |`,
      `| DynamoDB requests / match | ${result.requestsPerMatch.dynamodb} | |`,
      `| SNS requests / match | ${result.requestsPerMatch.sns} | |`,
      '',
    ].join('\n'),
  );
}
