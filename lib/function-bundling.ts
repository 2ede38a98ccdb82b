/**
 * How the construct turns a function's TypeScript entry into a NodejsFunction: where this
 * package and the lock file that pins the functions' dependencies are, and the esbuild options
 * (from BUNDLE_OPTIONS, which `tools/bundle/function-bundle.ts` reads too, so the bundles the
 * benchmark and the tests measure are the ones that ship).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AssetStaging } from 'aws-cdk-lib';
import { type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from './bundle-options.ts';

const LOCK_FILE_NAMES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

/**
 * Where this package's files are: `lambdas/` (the functions' sources, bundled at synth) and,
 * in a clone of the repository, its `package-lock.json`. This file runs from `lib/` in a clone
 * and from `dist/lib/` when the package is installed, so look up for the package.json.
 */
export const PACKAGE_ROOT = packageRoot(import.meta.dirname);

/**
 * The lock file that pins the functions' dependencies, and the project root it marks: the
 * nearest one at or above the package. In a clone that is this repository's; an installed
 * package has none of its own (npm does not pack lock files), so it is the studio app's, as
 * for the app's own functions. Searched from here, not from the working directory (which is
 * where NodejsFunction would look), so a synth run from anywhere bundles the same.
 */
export const LOCK_FILE = findLockFile(PACKAGE_ROOT);

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

function findLockFile(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const found = LOCK_FILE_NAMES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
    if (found) return found;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * esbuild `--alias` values, relative to the project root: esbuild's working directory both
 * when bundling locally and (through `workingDirectory`) in CDK's Docker fallback.
 */
export function aliasArgs(projectRoot: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [
      `--alias:${from}`,
      `./${path.relative(projectRoot, path.join(PACKAGE_ROOT, to)).split(path.sep).join('/')}`,
    ]),
  );
}

/**
 * The code half of a function's NodejsFunction props: entry, handler, lock file and bundling.
 * `entry` is relative to the package root (one of FUNCTION_ENTRIES).
 */
export function functionCode(
  entry: string,
): Pick<NodejsFunctionProps, 'entry' | 'handler' | 'projectRoot' | 'depsLockFilePath' | 'bundling'> {
  return {
    entry: path.join(PACKAGE_ROOT, entry),
    handler: FUNCTION_ENTRIES.handler,
    ...(LOCK_FILE ? { projectRoot: path.dirname(LOCK_FILE), depsLockFilePath: LOCK_FILE } : {}),
    bundling: {
      format: OutputFormat.ESM,
      target: BUNDLE_OPTIONS.target,
      minify: BUNDLE_OPTIONS.minify,
      sourceMap: BUNDLE_OPTIONS.sourcemap,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      banner: BUNDLE_OPTIONS.banner,
      define: { ...BUNDLE_OPTIONS.define },
      externalModules: [...BUNDLE_OPTIONS.external],
      sourcesContent: BUNDLE_OPTIONS.sourcesContent,
      esbuildArgs: aliasArgs(LOCK_FILE ? path.dirname(LOCK_FILE) : process.cwd()),
      workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
      forceDockerBundling: false,
    },
  };
}
