/**
 * Hanging starts on local mode: the whole bridge (local SQS event source, the real placement
 * handler, dynalite, fauxqs) against the emulator with a share of `POST /session` requests that
 * never answer, and the others answering after Gameye's documented ~0.5 s. Measures, per
 * start attempt timeout, the time from a match being sent to the queue until its record is
 * READY (p50, p90, p99, max), and the Gameye sessions per match (never more than one).
 *
 *   node bench/hanging-starts.bench.ts [--matches 150] [--rate 10] [--hang 0.3] [--timeouts 1000,2000,3000] [--json]
 *
 * Target (issue: hanging starts): with 30% of starts hanging, send → READY p99 ≤ 8 s, 0 duplicates.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { defaultEmulatorConfigInput } from '../tools/gameye-emulator/index.ts';
import { LOCAL_CONFIG_PATH, startLocalBridge } from '../tools/local/local-bridge.ts';
import { scanRecords } from '../tools/local/sim/summary.ts';

const TARGET_P99_MS = 8_000;
const GAMEYE_START_MS = 500;

const { values } = parseArgs({
  options: {
    matches: { type: 'string', default: '150' },
    rate: { type: 'string', default: '10' },
    hang: { type: 'string', default: '0.3' },
    timeouts: { type: 'string', default: '1000,1500,2000' },
    json: { type: 'boolean', default: false },
  },
});
const MATCHES = Number(values.matches);
const RATE = Number(values.rate);
const HANG = Number(values.hang);

interface Result {
  readonly attemptTimeoutMs: number;
  readonly ready: number;
  readonly failed: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly duplicates: number;
  readonly starts: number;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

async function run(attemptTimeoutMs: number): Promise<Result> {
  const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
  for (const r of emulatorConfig.regions) r.capacity = 10_000;
  emulatorConfig.latency = {
    fixedMs: 0,
    jitterMs: 0,
    operations: { 'session-run': { fixedMs: GAMEYE_START_MS - 100, jitterMs: 200 } },
  };
  const config = JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
  const bridge = await startLocalBridge({
    emulatorConfig,
    bridgeConfig: { ...config, start: { ...(config.start as object), attemptTimeoutMs } },
  });
  try {
    bridge.emulator.admin.setFaults('session-run', { hangProbability: HANG });
    const sentAt = new Map<string, number>();
    bridge.eventSource.start();
    const startedAt = Date.now();
    for (let i = 0; i < MATCHES; i += 10) {
      const due = startedAt + (i / RATE) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const ids = Array.from(
        { length: Math.min(10, MATCHES - i) },
        (_, j) => `hang-${attemptTimeoutMs}-${i + j}`,
      );
      await bridge.aws.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: bridge.resources.matchesQueueUrl,
          Entries: ids.map((matchId, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify({
              version: 1,
              matchId,
              profile: 'arena-casual',
              players: [{ id: `${matchId}-p`, latencies: { dublin: 20, frankfurt: 30 } }],
            }),
          })),
        }),
      );
      for (const id of ids) sentAt.set(id, Date.now());
    }
    // Wait until every match is settled (READY or FAILED), reporting progress.
    for (;;) {
      const records = await scanRecords(bridge);
      const settled = records.filter((r) => r.state === 'READY' || r.state === 'FAILED').length;
      if (settled >= MATCHES) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const records = await scanRecords(bridge);
    const latencies = records
      .filter((r) => r.state === 'READY' && r.readyAt !== undefined)
      .map((r) => Date.parse(r.readyAt as string) - (sentAt.get(r.matchId) ?? Number.NaN))
      .sort((a, b) => a - b);
    const perMatch = new Map<string, number>();
    for (const s of bridge.emulator.admin.sessions()) {
      const m = s.labels['bridge-match-id'];
      if (m !== undefined) perMatch.set(m, (perMatch.get(m) ?? 0) + 1);
    }
    return {
      attemptTimeoutMs,
      ready: latencies.length,
      failed: records.filter((r) => r.state === 'FAILED').length,
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      duplicates: [...perMatch.values()].filter((n) => n > 1).length,
      starts: bridge.emulator.admin.stats()['session-run'],
    };
  } finally {
    await bridge.close();
  }
}

const results: Result[] = [];
for (const t of values.timeouts.split(',').map(Number)) results.push(await run(t));

if (values.json) {
  console.log(JSON.stringify({ matches: MATCHES, rate: RATE, hang: HANG, results }));
} else {
  console.log(
    `\n${MATCHES} matches at ${RATE}/s, ${Math.round(HANG * 100)}% of starts hanging, starts answered in ~${GAMEYE_START_MS} ms otherwise\n`,
  );
  console.log(
    '| attempt timeout | READY | FAILED | send→READY p50 | p90 | p99 | max | starts sent | duplicate sessions | p99 ≤ 8 s |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `| ${r.attemptTimeoutMs} ms | ${r.ready} | ${r.failed} | ${s(r.p50)} | ${s(r.p90)} | ${s(r.p99)} | ${s(r.max)} | ${r.starts} | ${r.duplicates} | ${r.p99 <= TARGET_P99_MS && r.duplicates === 0 ? 'met' : 'MISSED'} |`,
    );
  }
}
