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
import { BUNDLE_OPTIONS } from '../../lib/resource-definitions.ts';
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
  });

  it('ships its source map', () => {
    const map: unknown = JSON.parse(readFileSync(path.join(bundleOf(fn), 'index.mjs.map'), 'utf8'));
    expect(map).toMatchObject({ version: 3 });
  });
});
