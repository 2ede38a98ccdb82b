/**
 * Where placement's cold start goes beyond its floor. Run: `node bench/cold-start-steps.bench.ts`.
 *
 * `bench/bundle-size.bench.ts` compares the placement function with its floor; this one walks
 * from the floor to the function one step at a time, each step adding one thing the function
 * loads, so the difference between neighbouring rows is what that thing costs. Each step is an
 * entry written under `bench/results/` (the floor's source plus the step's imports, generated,
 * never deployed), bundled as the construct bundles and imported in fresh processes with the
 * function's environment, round-robin like the other cold-start bench. Figures are CPU medians.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_ENTRIES } from '../lib/bundle-options.ts';
import { bundleFunction } from '../tools/bundle/function-bundle.ts';
import { CPU_IMPORT_SCRIPT, FUNCTION_ENVIRONMENT } from './function-environment.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/results/cold-start-steps');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/** From the generated entries' folder to the project root. */
const UP = path.relative(OUT, ROOT);

/** Each step: what it adds, and the lines added to the previous step's entry. */
const STEPS: readonly { readonly name: string; readonly lines: readonly string[] }[] = [
  { name: 'floor (bench/reference/placement-floor.ts)', lines: [] },
  {
    name: '+ SQS client (DLQ copies, retry spacing)',
    lines: [
      "import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';",
      'export const sqs = [new SQSClient({}), SendMessageCommand, ChangeMessageVisibilityCommand];',
    ],
  },
  {
    name: '+ GameLift client (FlexMatch lookups; imported, not created)',
    lines: [
      "import { DescribeMatchmakingCommand, GameLiftClient } from '@aws-sdk/client-gamelift';",
      'export const gameLift = [GameLiftClient, DescribeMatchmakingCommand];',
    ],
  },
  {
    name: '+ Secrets Manager via Powertools (the Gameye token)',
    lines: [
      "import { getSecret } from '@aws-lambda-powertools/parameters/secrets';",
      'export const secret = getSecret;',
    ],
  },
  {
    name: '+ the Gameye client',
    lines: [
      `import { GameyeClient } from '${UP}/lambdas/gameye/index.ts';`,
      'export const gameye = GameyeClient;',
    ],
  },
  {
    name: '+ the environment and config schemas, built',
    lines: [
      `import { parseRuntimeEnv } from '${UP}/lambdas/runtime/env.ts';`,
      'export const parse = parseRuntimeEnv;',
    ],
  },
  {
    name: '+ the environment and config, parsed',
    lines: ['export const env = parseRuntimeEnv(process.env);'],
  },
  {
    name: '+ the handler, core and adapters (imported, not created)',
    lines: [
      `import { makePlacementHandler } from '${UP}/lambdas/handlers/placement-handler.ts';`,
      'export const make = makePlacementHandler;',
    ],
  },
];

mkdirSync(OUT, { recursive: true });
const floor = readFileSync(path.join(ROOT, 'bench/reference/placement-floor.ts'), 'utf8').replaceAll(
  "'../../lambdas/",
  `'${UP}/lambdas/`,
);
// Every step after the floor loads the bridge's zod settings first, as the function does.
const zodSettings = `import '${UP}/lambdas/runtime/zod-cold-start.ts';`;
interface Row {
  readonly name: string;
  readonly file: string;
  readonly cpu: number[];
}
const rows: Row[] = [];
let body: string[] = [];
for (const [i, step] of STEPS.entries()) {
  body = [...body, ...step.lines];
  const source = [i === 0 ? '' : zodSettings, floor, ...body].join('\n');
  const entry = path.join(OUT, `step-${i}.ts`);
  writeFileSync(entry, source);
  const file = path.join(OUT, `step-${i}`, 'index.mjs');
  await bundleFunction(path.relative(ROOT, entry), file);
  rows.push({ name: step.name, file, cpu: [] });
}
const functionFile = path.join(OUT, 'placement', 'index.mjs');
await bundleFunction(FUNCTION_ENTRIES.placement, functionFile);
rows.push({ name: 'the placement function as deployed', file: functionFile, cpu: [] });

const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`\rround ${round + 1}/${ROUNDS}`);
  for (const row of rows) {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', CPU_IMPORT_SCRIPT(pathToFileURL(row.file).href)],
      { env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENVIRONMENT }, encoding: 'utf8' },
    );
    if (run.status !== 0)
      throw new Error(`${row.name}: ${run.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
    const [, cpu] = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as [number, number];
    row.cpu.push(cpu);
  }
}
process.stderr.write('\n');

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const floorCpu = median(rows[0]?.cpu ?? []);
console.log(
  `Node ${process.version}, ${ROUNDS} rounds of fresh processes; load average ${loadAtStart} at the start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end\n`,
);
console.log('| step | minified | CPU, median | this step | vs floor |');
console.log('|---|---:|---:|---:|---:|');
let previous: number | undefined;
for (const row of rows) {
  const cpu = median(row.cpu);
  const step =
    previous === undefined
      ? ''
      : `${cpu - previous >= 0 ? '+' : '−'}${Math.abs(cpu - previous).toFixed(1)} ms`;
  console.log(
    `| ${row.name} | ${(statSync(row.file).size / 1024).toFixed(1)} KB | ${cpu.toFixed(1)} ms | ${step} | ${(cpu / floorCpu).toFixed(2)}× |`,
  );
  previous = cpu;
}
