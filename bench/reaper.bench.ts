/**
 * Reaper benchmark on local services (dynalite, fauxqs, the Gameye emulator), a node script:
 *
 *   node bench/reaper.bench.ts [--sizes 10000,50000,100000] [--idle 1000] [--skew 0] [--json]
 *
 * The services run in a child process and the reaper in another (bench/reaper-worker.ts), so
 * the figures are the reaper's own, as in a Lambda that shares neither CPU nor memory with
 * DynamoDB or Gameye.
 *
 * 1. For each size, N active sessions spread over every emulated location, each with a player
 *    and a realistic record (ten players, a ranking, an attempt): one run that stops nothing,
 *    in a fresh reaper process (a cold start), then a second (warm): wall and CPU time, peak
 *    heap and RSS, Gameye calls (the emulator's counts), DynamoDB requests.
 * 2. At the largest size, M sessions go idle: runs until all are stopped and archived.
 *
 * `--skew 0.4` seeds 40% of the sessions in one location (a hit game's home region) instead of
 * spreading them evenly.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseBridgeConfig } from '../lambdas/core/config.ts';
import type { SessionRecord } from '../lambdas/core/session-record.ts';
import { BUNDLE_OPTIONS } from '../lib/bundle-options.ts';
import { seedSessions } from '../test/integration/reaper-seed.ts';
import { bundleFunction } from '../tools/bundle/function-bundle.ts';
import { defaultEmulatorConfigInput, type EmulatorStats } from '../tools/gameye-emulator/index.ts';
import { startChildServices } from '../tools/local/child-services.ts';
import { localClients } from '../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../tools/local/local-bridge.ts';
import type { RunReport, RunRequest, WorkerSetup } from './reaper-worker.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000,100000' },
    idle: { type: 'string', default: '1000' },
    skew: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const SIZES = values.sizes
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const IDLE = Number(values.idle);
const LARGEST = SIZES.at(-1) ?? 0;
/** The reaper's deployed timeout and the handler's reserve (REAPER_RESERVE_MS). */
const BUDGET_MS = 60_000;
const RESERVE_MS = 20_000;
/** Host ports per host (20000-30000) over the two ports each arena-server session maps. */
const SESSIONS_PER_HOST = 5_000;

// Every emulated location, with hosts and capacity enough for the largest size.
const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
const LOCATIONS = emulatorConfig.regions.map((r) => r.name);
/** `--skew 0.4` puts 40% of the sessions in the first location and spreads the rest evenly. */
const SKEW = Number(values.skew);
const seedLocations =
  SKEW > 0
    ? Array.from({ length: 100 }, (_, i) =>
        i < Math.round(SKEW * 100)
          ? (LOCATIONS[0] as string)
          : (LOCATIONS[1 + (i % (LOCATIONS.length - 1))] as string),
      )
    : LOCATIONS;
const perLocation = Math.ceil(LARGEST * 1.1 * Math.max(SKEW, 1 / LOCATIONS.length));
const hostsPerLocation = Math.ceil(perLocation / SESSIONS_PER_HOST) + 1;
emulatorConfig.regions = emulatorConfig.regions.map((r, i) => ({
  ...r,
  hosts: Array.from({ length: hostsPerLocation }, (_, h) => `10.${i + 1}.${h}.1`),
  capacity: perLocation,
}));
emulatorConfig.startupDelayMs = 0;
// Hourly heartbeats keep the logs the reaper archives a few lines long, so the archive rows
// measure the reaper rather than the emulator's log generation.
emulatorConfig.logIntervalMs = 3_600_000;
// The local config, but without its 10-minute lifetime cap: seeding 100,000 sessions takes
// minutes, and the first ones must not come of age before the run that should stop nothing.
const bridgeConfig = JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as {
  profiles: Record<string, { maxLifetimeMs?: number }>;
};
for (const p of Object.values(bridgeConfig.profiles)) delete p.maxLifetimeMs;
const config = parseBridgeConfig(bridgeConfig);

const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

// The reaper runs as shipped: bundled with the construct's options, source maps on.
const workerDir = path.join(import.meta.dirname, 'results/reaper-worker');
mkdirSync(workerDir, { recursive: true });
const workerBundle = path.join(workerDir, 'index.mjs');
await bundleFunction('bench/reaper-worker.ts', workerBundle);

const services = await startChildServices(emulatorConfig);
const { url, token } = services.gameye;
const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${url}/__admin/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path} answered ${res.status}`);
  return (await res.json()) as T;
};
/** How far the emulator's clock (and so the bridge's) has been moved ahead of real time. */
let clockOffsetMs = 0;
const advance = async (ms: number): Promise<void> => {
  await admin('POST', 'clock/advance', { ms });
  clockOffsetMs += ms;
};
const gameyeCalls = async <T>(fn: () => Promise<T>): Promise<{ value: T; calls: Record<string, number> }> => {
  const before = await admin<EmulatorStats>('GET', 'stats');
  const value = await fn();
  const after = await admin<EmulatorStats>('GET', 'stats');
  const calls = Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op as keyof EmulatorStats] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return { value, calls };
};

/**
 * V8 sizes its heap from the machine's memory: on a development machine it lets gigabytes of
 * garbage pile up before collecting, which a 512 MB function never does. The worker gets the
 * heap a function of that size can afford (an old generation of half of it, 16 MB semi-spaces),
 * so its RSS is what the function's would be, and a run whose live data did not fit would die
 * of an out-of-memory error instead of reporting a figure.
 */
const FUNCTION_HEAP = ['--max-old-space-size=256', '--max-semi-space-size=16'];

/** A reaper process of its own: one per size, so its first run is a cold start. */
function startWorker() {
  const setup: WorkerSetup = { services, bridgeConfig };
  const args = [...FUNCTION_HEAP, BUNDLE_OPTIONS.nodeOptions, workerBundle, JSON.stringify(setup)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // Kept to say why the worker died (V8's "FATAL ERROR: Reached heap limit …").
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_096);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    async run(
      request: Omit<RunRequest, 'clockOffsetMs' | 'budgetMs' | 'reserveMs'> = {},
    ): Promise<RunReport> {
      const full: RunRequest = { clockOffsetMs, budgetMs: BUDGET_MS, reserveMs: RESERVE_MS, ...request };
      child.stdin.write(`${JSON.stringify(full)}\n`);
      const answer = await answers.next();
      if (answer.done) {
        const fatal = stderr.split('\n').find((l) => l.startsWith('FATAL ERROR')) ?? stderr.trim();
        throw new WorkerDiedError(fatal);
      }
      return JSON.parse(answer.value) as RunReport;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** The reaper process died during a run (out of memory, most likely). */
class WorkerDiedError extends Error {
  override readonly name = 'WorkerDiedError';
}

/** What placement writes besides the basics: the players, the ranking it chose from, an attempt. */
function realisticPatch(now: string): Partial<SessionRecord> {
  return {
    firstPlayerAt: now,
    players: Array.from({ length: 10 }, (_, i) => ({
      id: `player-${i}-7f3c9a2e4b1d`,
      team: i < 5 ? 'red' : 'blue',
    })),
    ranking: {
      policy: 'latency',
      candidates: LOCATIONS.slice(0, 4).map((region, i) => ({
        region,
        worstMs: 40 + 10 * i,
        meanMs: 25 + 8 * i,
        preferenceIndex: i,
        overCap: false,
      })),
      candidateCount: 4,
      chosenRank: 0,
      dropped: LOCATIONS.slice(4).map((region) => ({
        region,
        reason: 'over-cap' as const,
        detail: 'worst player 212 ms over the 150 ms cap',
      })),
      droppedCounts: { 'over-cap': LOCATIONS.length - 4 },
    },
    attempts: [{ region: LOCATIONS[0] as string, at: now, outcome: 'started' as const }],
  };
}

type SizeFigures =
  | {
      readonly sessions: number;
      readonly seedSeconds: number;
      readonly cold: RunReport;
      readonly warm: RunReport;
      readonly gameyeCalls: Record<string, number>;
    }
  | { readonly sessions: number; readonly seedSeconds: number; readonly died: string };
const figures: SizeFigures[] = [];
const seeding = localClients(services.endpoints);
const matchIds: string[] = [];
const sessionIds = new Map<string, string>();
let idleFigures: { stopped: number; runs: number; seconds: number; sessions: number } | undefined;

try {
  for (const size of SIZES) {
    const t0 = performance.now();
    const fresh = Array.from({ length: size - matchIds.length }, (_, i) => `bench-${matchIds.length + i}`);
    const now = new Date(Date.now() + clockOffsetMs).toISOString();
    const ids = await seedSessions({
      emulator: { url, token, admin: { now: () => Date.now() + clockOffsetMs } },
      dynamodb: seeding.dynamodb,
      tableName: services.resources.tableName,
      config,
      matchIds: fresh,
      profile: 'arena-casual',
      location: seedLocations,
      playerCount: 1,
      patch: realisticPatch(now),
      parallel: 64,
    });
    matchIds.push(...fresh);
    for (const [m, id] of ids) sessionIds.set(m, id);
    const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    log(`seeded ${size} sessions over ${LOCATIONS.length} locations (${seedSeconds} s)`);

    const worker = startWorker();
    try {
      let cold: RunReport;
      let calls: Record<string, number>;
      try {
        ({ value: cold, calls } = await gameyeCalls(() => worker.run()));
      } catch (error) {
        if (!(error instanceof WorkerDiedError)) throw error;
        figures.push({ sessions: size, seedSeconds, died: error.message });
        log(`${size}: the reaper died: ${error.message}`);
        continue;
      }
      const warm = await worker.run();
      if (cold.result.tracked + cold.result.ended + (cold.result.stopping.orphan ?? 0) > 0)
        throw new Error(`the run was not a no-op: ${JSON.stringify(cold.result)}`);
      figures.push({ sessions: size, seedSeconds, cold, warm, gameyeCalls: calls });
      log(
        `${size}: cold ${cold.wallMs} ms (cpu ${cold.cpuMs} ms), warm ${warm.wallMs} ms; peak heap ${cold.peakHeapMb}/${warm.peakHeapMb} MB (committed ${cold.peakHeapTotalMb}/${warm.peakHeapTotalMb}, external ${cold.peakExternalMb}/${warm.peakExternalMb}, idle RSS ${cold.idleRssMb}), max RSS ${cold.maxRssMb}/${warm.maxRssMb} MB; gameye ${JSON.stringify(calls)}; dynamodb ${JSON.stringify(cold.dynamodb)}`,
      );

      if (size === LARGEST && IDLE > 0) {
        const idle = matchIds.slice(0, IDLE).map((m) => sessionIds.get(m) as string);
        for (const id of idle) await admin('PUT', `sessions/${id}/players`, { count: 0 });
        const t2 = performance.now();
        await advance(1_000);
        let runs = 1;
        let stopped = (await worker.run({ concurrency: 8 })).result.ended;
        await advance(21_000);
        while (stopped < IDLE && runs < 50) {
          const r = await worker.run({ concurrency: 8 });
          runs++;
          stopped += r.result.ended;
          log(`  idle run ${runs}: ended ${r.result.ended}, pending ${r.result.pending}, ${stopped}/${IDLE}`);
        }
        idleFigures = {
          stopped,
          runs,
          seconds: Math.round((performance.now() - t2) / 100) / 10,
          sessions: size,
        };
      }
    } finally {
      await worker.stop();
    }
  }
} finally {
  for (const c of Object.values(seeding)) c.destroy();
  await services.stop();
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, figures, idle: idleFigures })}\n`);
} else {
  const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const rows = figures.map((f) =>
    'died' in f
      ? `| ${f.sessions.toLocaleString('en')} | died: ${f.died} | | | | | |`
      : `| ${f.sessions.toLocaleString('en')} | ${f.cold.wallMs} ms (CPU ${f.cold.cpuMs} ms) | ${f.warm.wallMs} ms | ${Math.max(f.cold.peakHeapMb, f.warm.peakHeapMb)} MB | ${f.warm.maxRssMb} MB | ${sum(f.gameyeCalls)} (${Object.entries(
          f.gameyeCalls,
        )
          .map(([op, n]) => `${n} ${op}`)
          .join(', ')}) | ${sum(f.cold.dynamodb)} |`,
  );
  process.stdout.write(
    [
      '',
      `Reaper benchmark (${process.version}), one run that stops nothing, services in a child process`,
      '',
      '| active sessions | cold run | warm run | peak heap | peak RSS | Gameye calls | DynamoDB requests |',
      '|---:|---:|---:|---:|---:|---|---:|',
      ...rows,
      '',
      idleFigures
        ? `stopped and archived ${idleFigures.stopped} idle sessions (of ${idleFigures.sessions.toLocaleString('en')}) in ${idleFigures.seconds} s over ${idleFigures.runs} runs`
        : '',
      '',
    ].join('\n'),
  );
}
