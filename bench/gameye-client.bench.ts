/**
 * Benchmark of the Gameye client: `POST /session` throughput and latency against Node's
 * built-in `fetch` making the same calls in the same run, then peak RSS while streaming a
 * 100 MB artifact to a file.
 *
 *   node bench/gameye-client.bench.ts [--requests 5000] [--rounds 3] [--concurrency 8] [--warmup 1000] [--json]
 *
 * The emulator runs in a child process (this same file with `--emulator-child`): in-process it
 * would share the event loop and the heap with the client, so its own CPU time would count as
 * client latency and its gzip buffers as client memory. The emulator is reset before every
 * measured phase so both clients meet the same, empty server, and its capacity (regions,
 * hosts, host ports) is raised so that it never answers 420.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GameyeClient } from '../lambdas/gameye/index.ts';

const MB = 1024 * 1024;
const ARTIFACT_PATH = '/home/gameserver/replays/match.replay';
const TARGETS = { throughputRatio: 2, p99Ms: 10, rssDeltaMb: 100 } as const;

interface Endpoint {
  readonly url: string;
  readonly token: string;
}

/** The emulator's config for the bench: one wide region, a one-port image, a 100 MB artifact. */
function benchConfig(): Record<string, unknown> {
  const hosts = Array.from({ length: 16 }, (_, i) => `198.51.100.${i + 1}`);
  return {
    seed: 1,
    startupDelayMs: 0,
    regions: [{ name: 'bench-1', hosts, capacity: 1_000_000 }],
    images: [
      {
        name: 'bench-server',
        ports: [{ container: 7777, type: 'udp' }],
        defaultTag: '1',
        tags: { 'bench-1': ['1'] },
      },
    ],
    artifacts: { synthetic: { path: ARTIFACT_PATH, sizeBytes: 100 * MB } },
  };
}

// ── child: the emulator ─────────────────────────────────────────────────────────────────

async function runEmulatorChild(): Promise<void> {
  const { startEmulator } = await import('../tools/gameye-emulator/index.ts');
  const emulator = await startEmulator({ config: benchConfig() as never });
  process.stdout.write(`${JSON.stringify({ url: emulator.url, token: emulator.token })}\n`);
  const stop = async (): Promise<void> => {
    await emulator.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

async function spawnEmulator(): Promise<{ child: ChildProcess; endpoint: Endpoint }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--emulator-child'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  return { child, endpoint: JSON.parse(first) as Endpoint };
}

// ── measurement ─────────────────────────────────────────────────────────────────────────

interface PhaseResult {
  readonly name: string;
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** One measured run: each call's latency and the wall time of the whole run. */
interface Sample {
  readonly latencies: Float64Array;
  readonly seconds: number;
}

/** Run `requests` calls of `call`, `concurrency` at a time; every call must succeed. */
async function measure(
  requests: number,
  concurrency: number,
  call: (i: number) => Promise<void>,
): Promise<Sample> {
  const latencies = new Float64Array(requests);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function summarise(name: string, samples: readonly Sample[]): PhaseResult {
  const all = samples.flatMap((s) => [...s.latencies]).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
  return {
    name,
    requests: all.length,
    seconds,
    rps: all.length / seconds,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
  };
}

async function resetEmulator(endpoint: Endpoint): Promise<void> {
  const res = await fetch(`${endpoint.url}/__admin/reset`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoint.token}` },
  });
  if (res.status !== 204) throw new Error(`emulator reset answered ${res.status}`);
}

interface ArtifactResult {
  readonly bytes: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly deltaRssMb: number;
}

async function measureArtifact(gameye: GameyeClient): Promise<ArtifactResult> {
  await gameye.startSession({ id: 'bench-artifact', location: 'bench-1', image: 'bench-server' });
  await gameye.stopSession('bench-artifact');
  const dir = await mkdtemp(join(tmpdir(), 'gameye-bench-'));
  const file = join(dir, 'artifact.tar.gz');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const body = await gameye.artifact('bench-artifact', ARTIFACT_PATH, { timeoutMs: 30_000 });
    await pipeline(body, createWriteStream(file));
    peak = Math.max(peak, process.memoryUsage().rss);
    const { size } = await stat(file);
    return {
      bytes: size,
      baselineRssMb: baseline / MB,
      peakRssMb: peak / MB,
      deltaRssMb: (peak - baseline) / MB,
    };
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

// ── main ────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      'emulator-child': { type: 'boolean', default: false },
    },
  });
  if (values['emulator-child']) {
    await runEmulatorChild();
    return;
  }
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const warmup = Number(values.warmup);
  const rounds = Number(values.rounds);
  const { child, endpoint } = await spawnEmulator();
  const gameye = new GameyeClient({ baseUrl: endpoint.url, token: endpoint.token });
  const body = { location: 'bench-1', image: 'bench-server' };
  const ours = async (): Promise<void> => {
    await gameye.startSession(body);
  };
  const viaFetch = async (): Promise<void> => {
    const res = await fetch(`${endpoint.url}/session`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${endpoint.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { host?: unknown };
    if (res.status !== 201 || typeof json.host !== 'string')
      throw new Error(`fetch start answered ${res.status}`);
  };
  try {
    // Warm both paths (JIT, sockets) on a fresh server, then measure each on a fresh server.
    await resetEmulator(endpoint);
    await measure(warmup, concurrency, ours);
    await measure(warmup, concurrency, viaFetch);
    // Rounds alternate which client goes first, so drift in machine load hits both alike;
    // each client's figures aggregate all its rounds.
    const ourRounds: Sample[] = [];
    const fetchRounds: Sample[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'fetch'] as const) : (['fetch', 'ours'] as const);
      for (const which of order) {
        await resetEmulator(endpoint);
        if (which === 'ours') ourRounds.push(await measure(requests, concurrency, ours));
        else fetchRounds.push(await measure(requests, concurrency, viaFetch));
      }
    }
    const client = summarise('GameyeClient (undici Pool)', ourRounds);
    const native = summarise('fetch (built-in)', fetchRounds);
    await resetEmulator(endpoint);
    const artifact = await measureArtifact(gameye);
    const ratio = client.rps / native.rps;
    const verdict = {
      throughputRatio: ratio >= TARGETS.throughputRatio,
      p99: client.p99 <= TARGETS.p99Ms,
      rssDelta: artifact.deltaRssMb <= TARGETS.rssDeltaMb,
    };
    const result = {
      node: process.version,
      requests,
      rounds,
      concurrency,
      emulator: 'child process',
      phases: [client, native],
      ratio,
      artifact,
      targets: TARGETS,
      verdict,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const pad = (s: string, n: number) => s.padEnd(n);
      const num = (n: number, d = 2) => n.toFixed(d).padStart(9);
      const lines = [
        `POST /session: ${rounds} rounds x ${requests} per client, concurrency ${concurrency}, emulator in a child process, ${process.version}`,
        `${pad('client', 28)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}`,
        ...[client, native].map(
          (r) => `${pad(r.name, 28)}${num(r.rps, 0)}${num(r.p50)}${num(r.p95)}${num(r.p99)}`,
        ),
        `throughput ratio client/fetch: ${ratio.toFixed(2)}x (target >= ${TARGETS.throughputRatio}x: ${verdict.throughputRatio ? 'met' : 'MISSED'})`,
        `client p99: ${client.p99.toFixed(2)} ms (target <= ${TARGETS.p99Ms} ms: ${verdict.p99 ? 'met' : 'MISSED'})`,
        '',
        `artifact ${(artifact.bytes / MB).toFixed(1)} MB streamed to a file:`,
        `  RSS baseline ${artifact.baselineRssMb.toFixed(1)} MB, peak ${artifact.peakRssMb.toFixed(1)} MB, delta ${artifact.deltaRssMb.toFixed(1)} MB (target <= ${TARGETS.rssDeltaMb} MB: ${verdict.rssDelta ? 'met' : 'MISSED'})`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await gameye.close();
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

await main();
