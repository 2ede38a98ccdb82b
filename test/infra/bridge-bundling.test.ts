/**
 * The one infrastructure test that bundles for real (local esbuild, no Docker), as
 * `cdk synth` does: the handlers come out as minified ESM with a source map and a
 * `require` shim for CommonJS dependencies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BridgeStack } from '../../lib/bridge-stack.ts';
import { BUNDLE_OPTIONS } from '../../lib/bundle-options.ts';
import { logicalId, synthStack } from './synth.ts';

let assembly: CloudAssembly;
let stack: BridgeStack;
let template: ReturnType<typeof synthStack>['template'];

beforeAll(() => {
  const synth = synthStack({}, { bundle: true });
  stack = synth.stack;
  template = synth.template;
  assembly = synth.app.synth();
}, 120_000);

function bundleOf(fn: 'placementFunction' | 'reaperFunction'): string {
  const id = logicalId(stack, stack.bridge[fn]);
  const code = (
    template.findResources('AWS::Lambda::Function')[id] as { Properties: { Code: { S3Key: string } } }
  ).Properties.Code;
  const hash = code.S3Key.replace(/\.zip$/, '');
  return path.join(assembly.directory, `asset.${hash}`);
}

describe.each(['placementFunction', 'reaperFunction'] as const)('the %s bundle', (fn) => {
  it('is ESM with the createRequire banner and a handler export', () => {
    const code = readFileSync(path.join(bundleOf(fn), 'index.mjs'), 'utf8');
    expect(code.startsWith(BUNDLE_OPTIONS.banner)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\}|export\s*\{\s*handler/);
    expect(code).toMatch(/sourceMappingURL=index\.mjs\.map/);
    // Minified: a handful of very long lines, and the bridge's own names shortened.
    expect(code.split('\n').length).toBeLessThan(200);
    expect(code).not.toMatch(/\bDynamoSessionStore\b|\bparseRuntimeEnv\b/);
  });

  it('ships its source map, with file names but without a copy of the sources', () => {
    const map = JSON.parse(readFileSync(path.join(bundleOf(fn), 'index.mjs.map'), 'utf8')) as {
      version: number;
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.version).toBe(3);
    expect(map.sources.some((s) => s.endsWith('lambdas/core/match-event.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('reads node:http through its CommonJS alias and loads no undici fetch', () => {
    const { sources } = JSON.parse(readFileSync(path.join(bundleOf(fn), 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(sources.some((s) => s.endsWith('lambdas/runtime/node-http.cjs'))).toBe(true);
    expect(sources.some((s) => s.includes('undici/lib/web/fetch/index.js'))).toBe(false);
    expect(sources.some((s) => s.endsWith('undici/lib/dispatcher/pool.js'))).toBe(true);
  });
});
