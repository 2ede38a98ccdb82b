/**
 * The one infrastructure test that bundles for real (local esbuild, no Docker), as
 * `cdk synth` does: the handlers come out as minified ESM with a source map and a
 * `require` shim for CommonJS dependencies.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Placement's size target (minified): the README's "Benchmarks" has the measured figure. */
const PLACEMENT_MAX_BYTES = 750 * 1024;

const sourcesOf = (dir: string): string[] =>
  (JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;

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

describe.each(['placementFunction', 'reaperFunction'] as const)('the %s bundle, trimmed', (fn) => {
  it("carries undici's llhttp parser once, as its SIMD WebAssembly build", () => {
    const parsers = sourcesOf(bundleOf(fn)).filter((s) => /undici\/lib\/llhttp\/.*wasm/.test(s));
    expect(parsers.map((s) => path.basename(s))).toEqual(['llhttp_simd-wasm.js']);
    // The fallback's require is left in place (external), never bundled.
    const code = readFileSync(path.join(bundleOf(fn), 'index.mjs'), 'utf8');
    expect(code).toContain('"../llhttp/llhttp-wasm.js"');
  });

  it("leaves out the SDK's credential providers Lambda never reaches, as dynamic imports only", () => {
    const sources = sourcesOf(bundleOf(fn));
    const unused =
      /@aws-sdk\/(credential-provider-(sso|ini|process|web-identity|login)|nested-clients|token-providers)\//;
    expect(sources.filter((s) => unused.test(s))).toEqual([]);
    // The provider Lambda's credentials come through is bundled.
    expect(sources.some((s) => s.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    const code = readFileSync(path.join(bundleOf(fn), 'index.mjs'), 'utf8');
    // Loaded only if the environment has no credentials; a static import would fail every cold start.
    expect(code).toContain('import("@aws-sdk/credential-provider-sso")');
    expect(code).not.toMatch(/\bfrom\s*"@aws-sdk\//);
  });
});

describe("undici's llhttp selection, which the SIMD-only bundle relies on", () => {
  it('still compiles the SIMD build first and requires the other only as the fallback', () => {
    // Read from the undici the bundles are built from: an upgrade that renames either file or
    // stops preferring SIMD fails here, not in a Lambda.
    const clientH1 = createRequire(import.meta.url).resolve('undici/lib/dispatcher/client-h1.js');
    const code = readFileSync(clientH1, 'utf8');
    expect(code).toMatch(
      /if \(useWasmSIMD\) \{[\s\S]*?require\('\.\.\/llhttp\/llhttp_simd-wasm\.js'\)[\s\S]*?if \(!mod\) \{[\s\S]*?require\('\.\.\/llhttp\/llhttp-wasm\.js'\)/,
    );
  });
});

describe('bundle size', () => {
  it(`keeps the placement bundle within ${PLACEMENT_MAX_BYTES / 1024} KB minified`, () => {
    expect(statSync(path.join(bundleOf('placementFunction'), 'index.mjs')).size).toBeLessThanOrEqual(
      PLACEMENT_MAX_BYTES,
    );
  });
});
