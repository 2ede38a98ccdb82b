import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertTiersCover,
  findTestFiles,
  type Tier,
  TierAssignmentError,
  tierIncludes,
  tierProblems,
} from './tiers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const tiers: readonly Tier[] = [
  { name: 'unit', what: 'fakes', folders: ['core'], isolate: false },
  { name: 'integration', what: 'services', folders: ['flows'], isolate: true },
];

describe('test tiers', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A repository with just these files (contents irrelevant). */
  function repoWith(files: readonly string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'bridge-tiers-'));
    made.push(root);
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    return root;
  }

  it('put every test file of this repository in exactly one tier', () => {
    const files = findTestFiles(ROOT);

    expect(files.length).toBeGreaterThan(40);
    expect(tierProblems(files)).toEqual([]);
  });

  it('name a test file in a folder that no tier lists', () => {
    const problems = tierProblems(
      ['test/core/a.test.ts', 'test/flows/b.test.ts', 'test/new/c.test.ts'],
      tiers,
    );

    expect(problems).toEqual(['test/new/c.test.ts belongs to no test tier']);
  });

  it('name a test file that two tiers would both run', () => {
    const twice: readonly Tier[] = [
      ...tiers,
      { name: 'infra', what: 'template', folders: ['flows'], isolate: true },
    ];

    const problems = tierProblems(['test/core/a.test.ts', 'test/flows/b.test.ts'], twice);

    expect(problems).toEqual(['test/flows/b.test.ts belongs to 2 tiers: integration, infra']);
  });

  it('name a test file no project would pick up: outside test/, at its root, or named *.spec', () => {
    const files = [
      'test/core/a.test.ts',
      'test/flows/b.test.ts',
      'lambdas/core/x.test.ts',
      'test/y.test.ts',
      'test/core/z.spec.ts',
    ];

    expect(tierProblems(files, tiers)).toEqual([
      'lambdas/core/x.test.ts belongs to no test tier',
      'test/y.test.ts belongs to no test tier',
      'test/core/z.spec.ts belongs to no test tier',
    ]);
  });

  it('name a listed folder that holds no test file', () => {
    expect(tierProblems(['test/core/a.test.ts'], tiers)).toEqual([
      'tier integration lists test/flows, which holds no test file',
    ]);
  });

  it('stop the config with every problem named when a new folder is in no tier', () => {
    const root = repoWith(['test/core/a.test.ts', 'test/flows/b.test.ts', 'test/stray/c.test.ts']);

    const check = () => assertTiersCover(root, tiers);

    expect(check).toThrow(TierAssignmentError);
    expect(check).toThrow(/test\/stray\/c\.test\.ts belongs to no test tier/);
  });

  it('leave node_modules and build output out of the search', () => {
    const root = repoWith([
      'test/core/a.test.ts',
      'test/flows/b.test.ts',
      'node_modules/pkg/x.test.ts',
      'dist/test/core/a.test.js',
    ]);

    expect(findTestFiles(root)).toEqual(['test/core/a.test.ts', 'test/flows/b.test.ts']);
    expect(() => assertTiersCover(root, tiers)).not.toThrow();
  });

  it('give each project one include glob per folder of its tier', () => {
    expect(tierIncludes({ name: 'unit', what: 'x', folders: ['a', 'b'], isolate: false })).toEqual([
      'test/a/**/*.test.ts',
      'test/b/**/*.test.ts',
    ]);
  });
});
