/**
 * The construct as a studio gets it: built and packed (`npm pack`), the tarball unpacked into
 * a fresh app's node_modules beside only the packages it declares (dependencies and peers,
 * linked from this repository rather than downloaded), and the README's example app, which
 * imports it by package name, synthesized with cdk-nag and real bundling from a directory
 * that is not the app's. Nothing here can use the repository's own paths, its TypeScript
 * outside lambdas/, its lock file or its undeclared packages.
 */
import { type ExecFileSyncOptions, execFileSync, spawnSync } from 'node:child_process';
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
import pkg from '../../package.json' with { type: 'json' };

const ROOT = path.resolve(import.meta.dirname, '../..');
let work: string;
let app: string;
let installed: string;
let result: { functions: { runtime: string; handler: string; asset: string }[]; stackName: string };

/**
 * The studio app is the README's own example ("Use the construct in your own CDK app"), run as
 * it is written (TypeScript, which Node runs outside node_modules), plus a few lines that
 * report what it synthesized. No cdk.json, so none of this repository's feature flags; cdk-nag
 * registered by the example itself, so a finding fails the synth.
 */
function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Use the construct in your own CDK app'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!example)
    throw new Error('README: no TypeScript example under "Use the construct in your own CDK app"');
  return example;
}

const REPORT = `
import { Template } from 'aws-cdk-lib/assertions';
const assembly = app.synth();
const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
console.log(JSON.stringify({
  stackName: stack.stackName,
  functions: Object.values(fns).map((f: any) => ({
    runtime: f.Properties.Runtime,
    handler: f.Properties.Handler,
    asset: assembly.directory + '/asset.' + f.Properties.Code.S3Key.replace(/\\.zip$/, ''),
  })),
}));
`;

const FLEXMATCH_REPORT = `
import { Template as FlexMatchTemplate } from 'aws-cdk-lib/assertions';
app.synth();
const flexTemplate = FlexMatchTemplate.fromStack(stack);
console.log(JSON.stringify({
  patterns: Object.values(flexTemplate.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.EventPattern),
  configurations: Object.values(flexTemplate.findResources('AWS::GameLift::MatchmakingConfiguration')).map((r: any) => r.Properties.Name),
}));
`;
let flexMatchResult: { patterns: { detail: unknown; resources: unknown[] }[]; configurations: string[] };

function link(name: string): void {
  const target = path.join(app, 'node_modules', name);
  mkdirSync(path.dirname(target), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules', name), target);
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bridge-package-'));
  const quiet: ExecFileSyncOptions = { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] };
  execFileSync('npm', ['run', 'build', '--silent'], quiet);
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], quiet);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);

  app = path.join(work, 'studio-app');
  installed = path.join(app, 'node_modules', 'gameye-match-bridge');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', installed, '--strip-components=1']);
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), 'cdk-nag'])
    link(name);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'studio-app', type: 'module' }));
  writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'studio-app', lockfileVersion: 3 }),
  );
  writeFileSync(path.join(app, 'app.ts'), readmeExample() + REPORT);

  // Run from the temporary folder above the app, as `cdk synth` from a parent folder would.
  const out = execFileSync(process.execPath, [path.join(app, 'app.ts')], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      // Where the CDK CLI would have the app write its cloud assembly.
      CDK_OUTDIR: path.join(app, 'cdk.out'),
    },
  });
  result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as typeof result;

  // The FlexMatch example (examples/flexmatch-standalone/app.ts), run the same way.
  writeFileSync(
    path.join(app, 'flexmatch.ts'),
    readFileSync(path.join(ROOT, 'examples/flexmatch-standalone/app.ts'), 'utf8') + FLEXMATCH_REPORT,
  );
  const flexOut = execFileSync(process.execPath, [path.join(app, 'flexmatch.ts')], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_OUTDIR: path.join(app, 'cdk.out.flexmatch'),
    },
  });
  flexMatchResult = JSON.parse(flexOut.trim().split('\n').at(-1) ?? '{}') as typeof flexMatchResult;
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed construct in a studio app', () => {
  it('ships compiled JavaScript and the functions’ sources, not the repository', () => {
    const files = readdirSync(installed);
    expect(files).toEqual(expect.arrayContaining(['dist', 'lambdas', 'package.json']));
    for (const tooling of ['test', 'tools', 'bench', 'lib', 'schemas']) expect(files).not.toContain(tooling);
    // npm adds the command shims named in `bin` by itself; nothing else of bin/ ships.
    expect(readdirSync(path.join(installed, 'bin')).sort()).toEqual(['bridge.js', 'gameye-emulator.js']);
    expect(files).not.toContain('package-lock.json');
    expect(readdirSync(path.join(installed, 'dist', 'lib'))).toContain('index.d.ts');
  });

  it('synthesizes with no feature flags and no cdk-nag finding, bundling both functions from node_modules', () => {
    expect(result.stackName).toBe('Matchmaking');
    expect(result.functions).toHaveLength(2);
    for (const fn of result.functions) {
      expect(fn).toMatchObject({ runtime: 'nodejs24.x', handler: 'index.handler' });
      const map = JSON.parse(readFileSync(path.join(fn.asset, 'index.mjs.map'), 'utf8')) as {
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

  it('runs the FlexMatch standalone example with no cdk-nag finding: one rule, for the configuration it creates', () => {
    expect(flexMatchResult.configurations).toEqual(['ranked-5v5-config']);
    expect(flexMatchResult.patterns).toHaveLength(1);
    expect(flexMatchResult.patterns[0]?.detail).toEqual({ type: ['MatchmakingSucceeded'] });
    expect(JSON.stringify(flexMatchResult.patterns[0]?.resources)).toContain(
      ':matchmakingconfiguration/ranked-5v5-config',
    );
  });

  it('has commands that say where they work instead of failing on TypeScript in node_modules', () => {
    for (const bin of Object.values(pkg.bin)) {
      const run = spawnSync(process.execPath, [path.join(installed, bin), '--help'], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('run it from a clone of the gameye-match-bridge repository');
    }
  });
});
