/**
 * The test tiers, one Vitest project each, assigned by folder: every folder under `test/`
 * that holds test files belongs to exactly one tier. `vitest.config.ts` builds its projects
 * from this table and refuses to start when a test file belongs to no tier or to two, so a
 * new folder cannot silently fall out of `npm test`.
 */
import { globSync } from 'node:fs';

export type TierName = 'unit' | 'integration' | 'infra';

export interface Tier {
  readonly name: TierName;
  /** What its tests may stand on. */
  readonly what: string;
  /** Folders directly under `test/`. */
  readonly folders: readonly string[];
  /**
   * Whether each test file gets a fresh module graph (Vitest's `isolate`). The unit tier shares
   * a worker's modules across files, which saves a worker start per file: its files keep no
   * state in modules, and a file that mocks a module loads its subject afresh (`vi.resetModules`).
   */
  readonly isolate: boolean;
}

export const TIERS: readonly Tier[] = [
  {
    name: 'unit',
    what: 'pure code and in-memory fakes: no socket, no child process',
    folders: [
      'adapters',
      'formats',
      'placement',
      'reaper',
      'region',
      'runtime',
      'schemas',
      'session-store',
      'support',
      'toolchain',
    ],
    isolate: false,
  },
  {
    name: 'integration',
    what: 'real local services and loopback servers started by the tests themselves',
    folders: ['cli', 'contract', 'emulator', 'gamelift-standin', 'gameye-client', 'integration', 'local'],
    isolate: true,
  },
  {
    name: 'infra',
    what: 'the synthesized CloudFormation template and the npm package',
    folders: ['infra'],
    isolate: true,
  },
];

/** The file names Vitest would take for a test anywhere, whatever a project includes. */
const TEST_FILE = '**/*.{test,spec}.{ts,mts,cts,tsx,js,mjs,cjs,jsx}';
/** What a tier's project includes in each of its folders. */
const TIER_FILE = '**/*.test.ts';
const NOT_SOURCE = /(^|\/)(node_modules|\.git|dist|cdk\.out|coverage|\.local)$/;

/** A tier's Vitest `include` globs, relative to the repository root. */
export function tierIncludes(tier: Tier): string[] {
  return tier.folders.map((folder) => `test/${folder}/${TIER_FILE}`);
}

/** Every test file in the repository (relative paths with `/`), wherever it is. */
export function findTestFiles(root: string): string[] {
  return globSync(TEST_FILE, { cwd: root, exclude: (path) => NOT_SOURCE.test(path) })
    .map((file) => file.split('\\').join('/'))
    .sort();
}

/**
 * What is wrong with the assignment of `files` (repository-relative) to `tiers`: a file that
 * no tier runs, one that two tiers would run twice, and a listed folder with no test file
 * (a stale entry, or a typo that leaves the real folder out). Empty when all is well.
 */
export function tierProblems(files: readonly string[], tiers: readonly Tier[] = TIERS): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const [top, folder] = file.split('/');
    const owners =
      top === 'test' && file.endsWith('.test.ts') && folder !== undefined
        ? tiers.filter((t) => t.folders.includes(folder)).map((t) => t.name)
        : [];
    if (owners.length === 0) problems.push(`${file} belongs to no test tier`);
    else if (owners.length > 1)
      problems.push(`${file} belongs to ${owners.length} tiers: ${owners.join(', ')}`);
  }
  for (const tier of tiers)
    for (const folder of tier.folders)
      if (!files.some((f) => f.startsWith(`test/${folder}/`) && f.endsWith('.test.ts')))
        problems.push(`tier ${tier.name} lists test/${folder}, which holds no test file`);
  return problems;
}

/** Thrown at config time when the tiers do not cover every test file exactly once. */
export class TierAssignmentError extends Error {
  override readonly name = 'TierAssignmentError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      `test files and tiers do not match (test/support/tiers.ts):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Throw `TierAssignmentError` unless every test file under `root` is in exactly one tier. */
export function assertTiersCover(root: string, tiers: readonly Tier[] = TIERS): void {
  const problems = tierProblems(findTestFiles(root), tiers);
  if (problems.length > 0) throw new TierAssignmentError(problems);
}
