import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: integration suites start real local services, so keep
    // parallelism modest to avoid starving them.
    maxWorkers: 2,
    // Memory tests measure what the code still holds, not garbage the GC has yet to collect:
    // they call gc() between samples.
    execArgv: ['--expose-gc'],
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
