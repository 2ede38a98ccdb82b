import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { assertTiersCover, TIERS, tierIncludes } from './test/support/tiers.ts';

// Before anything runs: a test file in no tier (a new folder nobody assigned) would never run,
// one in two tiers would run twice. Either stops every Vitest command here, with the file named.
assertTiersCover(fileURLToPath(new URL('.', import.meta.url)));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: integration suites start real local services, so keep
    // parallelism modest to avoid starving them.
    maxWorkers: 2,
    // Memory tests measure what the code still holds, not garbage the GC has yet to collect:
    // they call gc() between samples.
    execArgv: ['--expose-gc'],
    // One closing line for the whole run, whatever projects it ran.
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // One project per tier (`vitest run --project unit`); `vitest run` runs them all.
    projects: TIERS.map((tier) => ({
      extends: true,
      test: { name: tier.name, include: tierIncludes(tier), isolate: tier.isolate },
    })),
  },
});
