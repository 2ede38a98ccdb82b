/**
 * Bundle size and cold import time of each Lambda, bundled exactly as the CDK construct
 * bundles it (same esbuild options, from BUNDLE_OPTIONS). Run: `node bench/bundle-size.bench.ts`.
 *
 * Import time is the median over fresh Node processes: what a Lambda cold start pays to load
 * the module (init code included), without Lambda's own overhead.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_ENV } from '../lambdas/shared/resources.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../lib/bundle-options.ts';
import { bundleFunction } from '../tools/bundle/function-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/results/bundles');
const RUNS = 20;
const TARGETS: Record<string, { kb: number; ms: number } | undefined> = { placement: { kb: 300, ms: 60 } };

/** A plausible function environment, so init code that parses it runs as in Lambda. */
const FUNCTION_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  [FUNCTION_ENV.tableName]: 'bench-sessions',
  [FUNCTION_ENV.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:session-events',
  [FUNCTION_ENV.deadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-dlq',
  [FUNCTION_ENV.archiveBucketName]: 'bench-archive',
  [FUNCTION_ENV.gameyeBaseUrl]: 'https://api.sandbox-gameye.gameye.net',
  [FUNCTION_ENV.gameyeTokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-AbCdEf',
  [FUNCTION_ENV.bridgeConfig]: readFileSync(path.join(ROOT, 'config/bridge.config.json'), 'utf8'),
  [FUNCTION_ENV.powertoolsServiceName]: 'gameye-match-bridge',
  [FUNCTION_ENV.powertoolsMetricsNamespace]: 'GameyeMatchBridge',
};

interface Timing {
  medianMs: number;
  p90Ms: number;
}

interface Row {
  fn: string;
  bytes: number;
  mapBytes: number;
  /** With the NODE_OPTIONS the construct sets (source maps parsed at load): what Lambda runs. */
  deployed: Timing;
  /** A bare `node`, no options. */
  plain: Timing;
  error?: string;
}

async function bundle(name: string, entry: string): Promise<string> {
  const outdir = path.join(OUT, name);
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'index.mjs');
  await bundleFunction(entry, outfile);
  return outfile;
}

function importTimes(file: string, nodeOptions: string): { times: number[]; error?: string } {
  const url = pathToFileURL(file).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENVIRONMENT, NODE_OPTIONS: nodeOptions },
      encoding: 'utf8',
    });
    if (run.status !== 0) return { times, error: run.stderr.trim().split('\n').slice(0, 3).join(' ') };
    times.push(Number(run.stdout.trim()));
  }
  return { times };
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const timing = (times: number[]): Timing => ({ medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9) });

const rows: Row[] = [];
const ENTRIES = {
  placement: FUNCTION_ENTRIES.placement,
  reaper: FUNCTION_ENTRIES.reaper,
  // What the bridge cannot do without, alone: each shows how much of the budget it takes.
  'reference: undici Pool alone': 'bench/reference/undici-pool.ts',
  'reference: DynamoDB client alone': 'bench/reference/dynamodb-client.ts',
  'reference: AWS SDK clients alone': 'bench/reference/aws-sdk-clients.ts',
};
for (const [name, entry] of Object.entries(ENTRIES)) {
  const file = await bundle(name.replace(/\W+/g, '-'), entry);
  const deployed = importTimes(file, BUNDLE_OPTIONS.nodeOptions);
  const plain = importTimes(file, '');
  const error = deployed.error ?? plain.error;
  rows.push({
    fn: name,
    bytes: statSync(file).size,
    mapBytes: statSync(`${file}.map`).size,
    deployed: timing(deployed.times),
    plain: timing(plain.times),
    ...(error ? { error } : {}),
  });
}

const ms = (t: Timing): string => `${t.medianMs.toFixed(1)} ms (p90 ${t.p90Ms.toFixed(1)})`;
console.log(`Node ${process.version}, ${RUNS} fresh processes per function and setting\n`);
console.log(
  `| function | minified | source map | import, NODE_OPTIONS=${BUNDLE_OPTIONS.nodeOptions} (as deployed) | import, plain node | target |`,
);
console.log('|---|---:|---:|---:|---:|---|');
let failed = false;
for (const r of rows) {
  const target = TARGETS[r.fn];
  const kb = r.bytes / 1024;
  const sizeOk = !target || kb <= target.kb;
  // Judged as deployed: the slower of the two.
  const timeOk = !target || r.deployed.medianMs <= target.ms;
  if (!sizeOk || !timeOk || r.error) failed = true;
  const targetText = target
    ? `≤ ${target.kb} KB: ${sizeOk ? 'met' : 'MISSED'}; ≤ ${target.ms} ms: ${timeOk ? 'met' : 'MISSED'}`
    : '-';
  console.log(
    `| ${r.fn} | ${kb.toFixed(1)} KB | ${(r.mapBytes / 1024).toFixed(1)} KB | ${ms(r.deployed)} | ${ms(r.plain)} | ${targetText} |`,
  );
  if (r.error) console.log(`\n${r.fn}: import failed: ${r.error}`);
}
if (failed) process.exitCode = 1;
