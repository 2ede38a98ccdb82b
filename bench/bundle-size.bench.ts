/**
 * Cold start of each Lambda against its floor. Run: `node bench/bundle-size.bench.ts`.
 *
 * Every row is bundled exactly as the CDK construct bundles (same esbuild options, from
 * BUNDLE_OPTIONS) and imported in fresh Node processes with the function's environment: what a
 * Lambda cold start pays to load the module (init code included), without Lambda's own
 * overhead. The floors (`bench/reference/*-floor.ts`) hold only each function's irreducible
 * dependencies, so `function ÷ floor` is what the bridge's own code and its reducible
 * dependencies add. The validated floors (`bench/reference/*-floor-validated.ts`) add the one
 * piece of cold-start work every function must do, validating its environment and
 * `BRIDGE_CONFIG` with zod, so `validated floor ÷ floor` is what that rule costs by itself and
 * `function ÷ validated floor` what the rest of the function adds. Rows are run round-robin, one
 * process per row per round, so a change in the machine's load during the run weighs on every
 * row alike; the ratios are of medians.
 *
 * Each import is timed twice: wall clock (what a cold start waits for on a machine of its own)
 * and CPU time (user + system, all threads). The ratio targets are judged on CPU time: on a
 * shared machine the wall clock mostly measures the other processes (it swung 2× between runs
 * of the same bundles on this project's 2-core machine at a load of 20), while CPU time moved a
 * few percent. The load average is printed with the figures.
 *
 * Rows: the two functions and their floors (plain and validated) as deployed (NODE_OPTIONS as
 * the construct sets it by default), the two functions with `--enable-source-maps` (what `sourceMapsAtRuntime: true`
 * costs), placement with its SQS client loaded on first use (what a lazy load would save),
 * placement with a FlexMatch source configured (its GameLift client is then created at cold
 * start), and placement with the GameLift client loaded on first use instead of imported (what
 * a deployment without FlexMatch would pay for that lazy load).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { FUNCTION_ENV } from '../lambdas/shared/resources.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../lib/bundle-options.ts';
import { bundleFunction } from '../tools/bundle/function-bundle.ts';
import { CPU_IMPORT_SCRIPT, FUNCTION_ENVIRONMENT } from './function-environment.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/results/bundles');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/** What the construct deploys by default. */
const DEPLOYED_NODE_OPTIONS = BUNDLE_OPTIONS.sourceMapsAtRuntime ? BUNDLE_OPTIONS.nodeOptions : '';

/**
 * Targets: import time within `ratio` × its floor's, and the minified size within `kb`.
 * `validated` names the floor with the configuration validated, reported beside the target.
 */
const TARGETS: Record<string, { floor: string; validated: string; ratio: number; kb?: number }> = {
  placement: {
    floor: 'placement floor',
    validated: 'placement floor, configuration validated',
    ratio: 1.15,
    kb: 750,
  },
  reaper: { floor: 'reaper floor', validated: 'reaper floor, configuration validated', ratio: 1.15 },
};

interface Row {
  readonly name: string;
  readonly entry: string;
  readonly nodeOptions: string;
  readonly plugins?: Plugin[];
  /** Variables set over {@link FUNCTION_ENVIRONMENT} for this row. */
  readonly env?: Record<string, string>;
  file?: string;
  /** Wall-clock milliseconds of each import. */
  times: number[];
  /** CPU milliseconds (user + system, every thread) of each import: less swayed by other load. */
  cpu: number[];
  error?: string;
}

/**
 * Placement as it would be with an SDK client loaded on first use: the package (e.g.
 * `@aws-sdk/client-sqs`) is replaced by a module whose client imports the real one on its
 * first `send`, so the SDK's code is still bundled but evaluated only then. Measures what the
 * lazy load would save (or cost: esbuild must then wrap every module the client shares with
 * the others in a lazy initialiser).
 */
async function lazyClientPlugin(pkg: string, clientClass: string): Promise<Plugin> {
  // Its named exports (CommonJS interop adds `default` and `module.exports`, which are not).
  const names = Object.keys(await import(pkg)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  const stub = [
    `let real; const load = () => (real ??= import('${pkg}'));`,
    `export class ${clientClass} { constructor(config) { this.config = config; }`,
    `  async send(command) { const m = await load(); this.client ??= new m.${clientClass}(this.config);`,
    '    return this.client.send(new m[command.commandName](command.input)); } }',
    ...names
      .filter((name) => name.endsWith('Command'))
      .map(
        (name) =>
          `export class ${name} { commandName = '${name}'; constructor(input) { this.input = input; } }`,
      ),
    ...names
      .filter((name) => !name.endsWith('Command') && name !== clientClass)
      .map((name) => `export const ${name} = undefined;`),
  ].join('\n');
  const namespace = `lazy-${pkg.replace(/\W+/g, '-')}`;
  const filter = new RegExp(`^${pkg.replace(/[/.]/g, (c) => `\\${c}`)}$`);
  return {
    name: namespace,
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === namespace ? undefined : { path: pkg, namespace },
      );
      build.onLoad({ filter: /.*/, namespace }, () => ({ contents: stub, loader: 'js', resolveDir: ROOT }));
    },
  };
}

/** The function environment with a FlexMatch source in the bridge config. */
function withFlexMatch(): Record<string, string> {
  const config = JSON.parse(FUNCTION_ENVIRONMENT[FUNCTION_ENV.bridgeConfig] ?? '{}') as Record<
    string,
    unknown
  >;
  const profile = Object.keys((config.profiles ?? {}) as Record<string, unknown>)[0] ?? '';
  const sources = { matchFound: {}, flexMatch: { configurations: { 'bench-config': { profile } } } };
  return { [FUNCTION_ENV.bridgeConfig]: JSON.stringify({ ...config, sources }) };
}

const newRow = (
  name: string,
  entry: string,
  nodeOptions: string,
  plugins?: Plugin[],
  env?: Record<string, string>,
): Row => ({
  name,
  entry,
  nodeOptions,
  ...(plugins ? { plugins } : {}),
  ...(env ? { env } : {}),
  times: [],
  cpu: [],
});
const rows: Row[] = [
  newRow('placement', FUNCTION_ENTRIES.placement, DEPLOYED_NODE_OPTIONS),
  newRow('placement floor', 'bench/reference/placement-floor.ts', DEPLOYED_NODE_OPTIONS),
  newRow(
    'placement floor, configuration validated',
    'bench/reference/placement-floor-validated.ts',
    DEPLOYED_NODE_OPTIONS,
  ),
  newRow('reaper', FUNCTION_ENTRIES.reaper, DEPLOYED_NODE_OPTIONS),
  newRow('reaper floor', 'bench/reference/reaper-floor.ts', DEPLOYED_NODE_OPTIONS),
  newRow(
    'reaper floor, configuration validated',
    'bench/reference/reaper-floor-validated.ts',
    DEPLOYED_NODE_OPTIONS,
  ),
  newRow('placement, SQS client loaded on first use', FUNCTION_ENTRIES.placement, DEPLOYED_NODE_OPTIONS, [
    await lazyClientPlugin('@aws-sdk/client-sqs', 'SQSClient'),
  ]),
  newRow(
    'placement, FlexMatch configured',
    FUNCTION_ENTRIES.placement,
    DEPLOYED_NODE_OPTIONS,
    undefined,
    withFlexMatch(),
  ),
  newRow(
    'placement, GameLift client loaded on first use',
    FUNCTION_ENTRIES.placement,
    DEPLOYED_NODE_OPTIONS,
    [await lazyClientPlugin('@aws-sdk/client-gamelift', 'GameLiftClient')],
  ),
  newRow('placement, --enable-source-maps', FUNCTION_ENTRIES.placement, BUNDLE_OPTIONS.nodeOptions),
  newRow('reaper, --enable-source-maps', FUNCTION_ENTRIES.reaper, BUNDLE_OPTIONS.nodeOptions),
];

const bundled = new Map<string, string>();
for (const row of rows) {
  const key = `${row.entry}${row.plugins ? ` (${row.plugins.map((p) => p.name).join(', ')})` : ''}`;
  let file = bundled.get(key);
  if (!file) {
    const outdir = path.join(OUT, row.name.replace(/\W+/g, '-'));
    mkdirSync(outdir, { recursive: true });
    file = path.join(outdir, 'index.mjs');
    await bundleFunction(row.entry, file, row.plugins ? { plugins: row.plugins } : {});
    bundled.set(key, file);
  }
  row.file = file;
}

function importOnce(row: Row): void {
  const url = pathToFileURL(row.file ?? '').href;
  const script = CPU_IMPORT_SCRIPT(url);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENVIRONMENT, ...row.env, NODE_OPTIONS: row.nodeOptions },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    row.error = run.stderr.trim().split('\n').slice(0, 3).join(' ');
    return;
  }
  const [wall, cpu] = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as [number, number];
  row.times.push(wall);
  row.cpu.push(cpu);
}

const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
for (let round = 0; round < ROUNDS; round++) {
  for (const row of rows) if (!row.error) importOnce(row);
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const wallMs = (row: Row | undefined): number => quantile(row?.times ?? [], 0.5);
const cpuMs = (row: Row | undefined): number => quantile(row?.cpu ?? [], 0.5);
const byName = (name: string): Row | undefined => rows.find((r) => r.name === name);
const kb = (row: Row): number => statSync(row.file ?? '').size / 1024;
const signed = (n: number): string => `${n < 0 ? '−' : '+'}${Math.abs(n).toFixed(1)}`;

console.log(
  `Node ${process.version}, ${ROUNDS} rounds of fresh processes; as deployed: NODE_OPTIONS='${DEPLOYED_NODE_OPTIONS}'; load average ${loadAtStart} at the start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end\n`,
);
console.log(
  '| bundle | minified | import, median (p90) | vs floor | CPU, median | CPU vs floor | CPU vs validated floor | target |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
/** The floor each validated floor is compared with. */
const FLOOR_OF: Record<string, string> = Object.fromEntries(
  Object.values(TARGETS).map((t) => [t.validated, t.floor]),
);
const ratio = (row: Row, of: Row | undefined, time: (r: Row | undefined) => number): string =>
  of ? `${(time(row) / time(of)).toFixed(2)}× (${signed(time(row) - time(of))} ms)` : '';
let failed = false;
for (const row of rows) {
  const target = TARGETS[row.name];
  const floorName = target?.floor ?? FLOOR_OF[row.name];
  const floor = floorName === undefined ? undefined : byName(floorName);
  const validated = target ? byName(target.validated) : undefined;
  const vs = (of: (r: Row | undefined) => number): string => ratio(row, floor, of);
  const checks: string[] = [];
  if (target && floor) {
    const ok = cpuMs(row) / cpuMs(floor) <= target.ratio;
    checks.push(`CPU ≤ ${target.ratio}× floor: ${ok ? 'met' : 'MISSED'}`);
    if (!ok) failed = true;
  }
  if (target?.kb !== undefined) {
    const ok = kb(row) <= target.kb;
    checks.push(`≤ ${target.kb} KB: ${ok ? 'met' : 'MISSED'}`);
    if (!ok) failed = true;
  }
  const time = `${wallMs(row).toFixed(1)} ms (p90 ${quantile(row.times, 0.9).toFixed(1)})`;
  console.log(
    `| ${row.name} | ${kb(row).toFixed(1)} KB | ${time} | ${vs(wallMs)} | ${cpuMs(row).toFixed(1)} ms | ${vs(cpuMs)} | ${ratio(row, validated, cpuMs)} | ${checks.join('; ') || '-'} |`,
  );
  if (row.error) {
    failed = true;
    console.log(`\n${row.name}: import failed: ${row.error}`);
  }
}

const delta = (a: string, b: string): string =>
  `${signed(wallMs(byName(a)) - wallMs(byName(b)))} ms (CPU ${signed(cpuMs(byName(a)) - cpuMs(byName(b)))} ms)`;
console.log(
  `\n--enable-source-maps costs ${delta('placement, --enable-source-maps', 'placement')} (placement), ${delta('reaper, --enable-source-maps', 'reaper')} (reaper).`,
);
console.log(
  `Loading the SQS client on first use would save ${delta('placement', 'placement, SQS client loaded on first use')} of placement's cold import.`,
);
console.log(
  `A FlexMatch source costs ${delta('placement, FlexMatch configured', 'placement')} at cold start (its GameLift client is created then).`,
);
console.log(
  `Loading the GameLift client on first use instead of importing it would save ${delta('placement', 'placement, GameLift client loaded on first use')} of placement's cold import.`,
);
if (failed) process.exitCode = 1;
