/**
 * Bundles one Lambda entry with esbuild's API exactly as the construct's NodejsFunction does
 * with esbuild's command line: both read BUNDLE_OPTIONS. The bundle benchmark measures these
 * files and `test/integration/function-bundles.test.ts` runs them against the local services.
 */
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../lib/bundle-options.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Writes `outfile` and `outfile.map`; `entry` is relative to the project root. `plugins` are
 * for the benchmark's what-if variants only (the construct's esbuild command line has none).
 */
export async function bundleFunction(
  entry: string,
  outfile: string,
  options: { plugins?: Plugin[] } = {},
): Promise<void> {
  await build({
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    outfile,
    bundle: true,
    target: BUNDLE_OPTIONS.target,
    platform: BUNDLE_OPTIONS.platform,
    format: BUNDLE_OPTIONS.format,
    minify: BUNDLE_OPTIONS.minify,
    sourcemap: BUNDLE_OPTIONS.sourcemap,
    sourcesContent: BUNDLE_OPTIONS.sourcesContent,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    define: { ...BUNDLE_OPTIONS.define },
    alias: Object.fromEntries(
      Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [from, path.join(PROJECT_ROOT, to)]),
    ),
    external: [...BUNDLE_OPTIONS.external],
    plugins: options.plugins ?? [],
    logLevel: 'warning',
  });
}
