/**
 * The construct as a studio gets it: `npm pack` (which compiles it to dist/), the tarball
 * unpacked into a fresh app's node_modules beside the dependencies it declares, and a plain
 * JavaScript CDK app that imports it by package name and synthesizes with real bundling. This
 * is what the README's "Use the construct in your own CDK app" promises; nothing here can use
 * the repository's own paths, TypeScript sources outside lambdas/, or its lock file.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleConfig } from './synth.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let work: string;
let app: string;
let result: { functions: { runtime: string; handler: string; asset: string }[]; stackName: string };

const STUDIO_APP = `
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GameyeMatchBridge } from 'gameye-match-bridge';

// No cdk.json, so none of the feature flags this repository's app sets; cdk-nag registered as
// the README shows (a finding fails the synth).
const app = new App({ outdir: 'cdk.out' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, 'Matchmaking');
new GameyeMatchBridge(stack, 'GameyeBridge', { bridgeConfig: JSON.parse(process.env.BRIDGE_CONFIG_JSON) });
const assembly = app.synth();
const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
console.log(JSON.stringify({
  stackName: stack.stackName,
  functions: Object.values(fns).map((f) => ({
    runtime: f.Properties.Runtime,
    handler: f.Properties.Handler,
    asset: assembly.directory + '/asset.' + f.Properties.Code.S3Key.replace(/\\.zip$/, ''),
  })),
}));
`;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bridge-package-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { filename: string }[];
  const tarball = path.join(work, packed[0]?.filename ?? 'missing.tgz');

  app = path.join(work, 'studio-app');
  const installed = path.join(app, 'node_modules', 'gameye-match-bridge');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  // The dependencies npm would install beside it: the repository's, linked rather than fetched.
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name.startsWith('.') || name === 'gameye-match-bridge') continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(app, 'node_modules', name));
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'studio-app', type: 'module' }));
  writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'studio-app', lockfileVersion: 3 }),
  );
  writeFileSync(path.join(app, 'app.mjs'), STUDIO_APP);

  const out = execFileSync(process.execPath, ['app.mjs'], {
    cwd: app,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      BRIDGE_CONFIG_JSON: JSON.stringify(exampleConfig()),
    },
  });
  result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as typeof result;
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed construct in a studio app', () => {
  it('ships compiled JavaScript and the functions’ sources, not the repository', () => {
    const installed = path.join(app, 'node_modules', 'gameye-match-bridge');
    const files = readdirSync(installed);
    expect(files).toEqual(expect.arrayContaining(['dist', 'lambdas', 'package.json']));
    expect(files).not.toContain('test');
    expect(files).not.toContain('package-lock.json');
    expect(readdirSync(path.join(installed, 'dist', 'lib'))).toContain('index.d.ts');
  });

  it('synthesizes with no feature flags and no cdk-nag finding; both functions bundled from node_modules with the app’s lock file', () => {
    expect(result.stackName).toBe('Matchmaking');
    expect(result.functions).toHaveLength(2);
    for (const fn of result.functions) {
      expect(fn).toMatchObject({ runtime: 'nodejs24.x', handler: 'index.handler' });
      const map = JSON.parse(readFileSync(path.resolve(app, fn.asset, 'index.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      expect(map.sources.some((s) => s.includes('node_modules/gameye-match-bridge/lambdas/handlers/'))).toBe(
        true,
      );
      expect(
        map.sources.some((s) => s.includes('node_modules/gameye-match-bridge/lambdas/runtime/node-http.cjs')),
      ).toBe(true);
    }
  });
});
