/**
 * The TypeScript examples under `examples/` type-check against the construct's own sources
 * (`examples/tsconfig.json` maps the package name to `lib/index.ts`), so a renamed prop or
 * export fails here before a studio copies the example. The FlexMatch example is also run as
 * a studio app, from the packed package, in `package.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('examples/', () => {
  it('type-check with the project’s compiler settings', () => {
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc');

    const run = spawnSync(tsc, ['-p', path.join(ROOT, 'examples/tsconfig.json')], { encoding: 'utf8' });

    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
