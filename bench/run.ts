#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark, one after the other (never in parallel: they measure time
 * and memory on a 2-core machine). Each prints its own table; pass a name to run just one:
 *
 *   npm run bench                 all
 *   npm run bench -- placement    bench/placement.bench.ts only
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
if (benches.length === 0) {
  console.error(
    `no benchmark matches ${only.join(', ')}; have: ${readdirSync(dir)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}
let failed = 0;
for (const [i, file] of benches.entries()) {
  console.log(`\n[${i + 1}/${benches.length}] ${file}`);
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
