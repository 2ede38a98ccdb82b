/**
 * What one location's session list costs the reaper in memory, a node script:
 *
 *   node bench/list-memory.bench.ts [--sessions 10000,40000,80000] [--reads 1]
 *
 * The reaper reads Gameye's answer for a location whole (`GET /session?location=…`, through
 * the Gameye client and the lifecycle adapter, as a run does), so the location with the most
 * of a deployment's sessions sets its peak memory. For each size, a server in a child process
 * answers a list of that many Gameye-shaped sessions (labels as Gameye reports them, two ports
 * each), and a reader in another child, with the heap flags of a 512 MB function (as
 * `bench/reaper.bench.ts` uses), reads it `--reads` times in a row (a run reads each location
 * once). It reports the body's size and the reader's peak RSS over its idle RSS, from the
 * kernel's high-water mark (what the reaper reports as `ReaperPeakMemory`, and what counts
 * against the function's memory), with its peak heap and external memory sampled every
 * millisecond between reads.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GameyeLifecycleAdapter } from '../lambdas/adapters/gameye-lifecycle.ts';
import { GameyeClient } from '../lambdas/gameye/index.ts';
// The functions' zod settings (JIT off), as the reaper runs.
import '../lambdas/runtime/zod-cold-start.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000,40000,80000' },
    reads: { type: 'string', default: '1' },
    serve: { type: 'string' },
    read: { type: 'string' },
  },
});
const LOCATION = 'frankfurt';
const DEPLOYMENT = 'bench-deployment';
/** A 512 MB function's heap, as bench/reaper.bench.ts gives the reaper. */
const FUNCTION_HEAP = ['--max-old-space-size=256', '--max-semi-space-size=16'];
const MB = 1024 * 1024;

interface Peaks {
  readonly bodyMb: number;
  readonly listed: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly externalMb: number;
}

/** Child: answer every request with a list of `n` sessions, and print the port. */
function serve(n: number): void {
  const sessions = Array.from({ length: n }, (_, i) => {
    const id = randomUUID();
    const host = `10.0.${(i >> 8) & 255}.${i & 255}`;
    const labels = {
      'game-mode': 'ranked',
      'bridge-deployment': DEPLOYMENT,
      'bridge-match-id': `match-${i}`,
      'bridge-profile': 'ranked-5v5',
    };
    return {
      id,
      image: 'example-game-server',
      tag: '1.4.2',
      location: LOCATION,
      host,
      created: 1_764_748_800_000 + i,
      port: { '7777/udp': 20_000 + (i % 10_000), '27015/tcp': 30_000 + (i % 10_000) },
      status: 'running',
      labels: {
        env: JSON.stringify({ GAMEYE_SESSION_ID: id, GAMEYE_HOST: host }),
        tags: JSON.stringify(labels),
      },
      playerCount: 1,
    };
  });
  const body = Buffer.from(JSON.stringify({ sessions }));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(JSON.stringify({ port, bodyMb: body.length / MB }));
  });
}

/** Child: read the list `reads` times through the adapter, print the peaks over idle. */
async function read(port: number, reads: number, bodyMb: number): Promise<void> {
  const client = new GameyeClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'bench' });
  const adapter = new GameyeLifecycleAdapter({ client, timeoutMs: 120_000 });
  const idle = process.memoryUsage();
  const peak = { rss: idle.rss, heap: idle.heapUsed, external: idle.external };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  };
  const timer = setInterval(sample, 1);
  let listed = 0;
  for (let i = 0; i < reads; i++) {
    listed = (await adapter.listDeploymentSessions(DEPLOYMENT, LOCATION)).length;
    sample();
  }
  clearInterval(timer);
  const peaks: Peaks = {
    bodyMb,
    listed,
    // maxRSS is in KB: the exact high-water mark, which sampling would miss inside a parse.
    rssMb: (Math.max(peak.rss, process.resourceUsage().maxRSS * 1024) - idle.rss) / MB,
    heapMb: (peak.heap - idle.heapUsed) / MB,
    externalMb: (peak.external - idle.external) / MB,
  };
  console.log(JSON.stringify(peaks));
}

/** Spawn this script with `args` and resolve its first stdout line. */
function child(args: readonly string[], nodeFlags: readonly string[] = []) {
  const proc = spawn(process.execPath, [...nodeFlags, import.meta.filename, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { proc, line };
}

if (values.serve !== undefined) {
  serve(Number(values.serve));
} else if (values.read !== undefined) {
  const [port, bodyMb] = values.read.split(',').map(Number);
  await read(port ?? 0, Number(values.reads), bodyMb ?? 0);
} else {
  const sizes = values.sessions.split(',').map(Number);
  const rows: Peaks[] = [];
  for (const n of sizes) {
    process.stderr.write(`${n.toLocaleString('en')} sessions…\n`);
    const server = child(['--serve', String(n)]);
    const { port, bodyMb } = JSON.parse(await server.line) as { port: number; bodyMb: number };
    const reader = child(['--read', `${port},${bodyMb}`, '--reads', values.reads], FUNCTION_HEAP);
    rows.push(JSON.parse(await reader.line) as Peaks);
    server.proc.kill();
  }
  console.log(`\nNode ${process.version}; ${values.reads} reads in a row, heap ${FUNCTION_HEAP.join(' ')}\n`);
  console.log(
    '| sessions in the location | answer | peak RSS over idle | per session | peak heap | peak external |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.listed.toLocaleString('en')} | ${r.bodyMb.toFixed(1)} MB | ${r.rssMb.toFixed(0)} MB | ${((r.rssMb * 1024) / r.listed).toFixed(1)} KB | ${r.heapMb.toFixed(0)} MB | ${r.externalMb.toFixed(0)} MB |`,
    );
  }
}
