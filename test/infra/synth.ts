/**
 * Synthesizes the bridge for the infrastructure tests: offline, env-agnostic, with the
 * feature flags `cdk.json` gives the real app, and (unless asked) without bundling, which
 * only real deploys and the bundling test need.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import type { BridgeConfigInput } from '../../lambdas/core/config.ts';
import { GameyeMatchBridge, type GameyeMatchBridgeProps } from '../../lib/bridge-construct.ts';
import { BridgeStack, type BridgeStackProps } from '../../lib/bridge-stack.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const EXAMPLE_CONFIG_PATH = path.join(ROOT, 'config/bridge.config.json');

const cdkJson: unknown = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
const FEATURE_FLAGS =
  typeof cdkJson === 'object' && cdkJson !== null && 'context' in cdkJson ? (cdkJson.context as object) : {};

/** A fresh copy of the example runtime config (the file the app deploys by default). */
export function exampleConfig(): BridgeConfigInput {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as BridgeConfigInput;
}

/**
 * Every app synthesizes into a folder under one temporary folder per test file, removed after
 * the file's tests: left to itself, CDK makes a new `cdk.out*` folder in the system's
 * temporary folder for every synth and never removes it.
 */
const outRoot = mkdtempSync(path.join(tmpdir(), 'bridge-infra-test-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));
const outdir = (): string => mkdtempSync(path.join(outRoot, 'cdk.out-'));

export function newApp(options: { bundle?: boolean } = {}): App {
  return new App({
    outdir: outdir(),
    context: { ...FEATURE_FLAGS, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

/** The project's stack, as `bin/app.ts` builds it. */
export function synthStack(props: BridgeStackProps = {}, options: { bundle?: boolean } = {}) {
  const app = newApp(options);
  const stack = new BridgeStack(app, 'Bridge', { configPath: EXAMPLE_CONFIG_PATH, ...props });
  return { app, stack, bridge: stack.bridge, template: Template.fromStack(stack) };
}

/** The construct alone, in a bare stack, as a studio would use it. */
export function synthConstruct(props: Partial<GameyeMatchBridgeProps> = {}) {
  const app = newApp();
  const stack = new Stack(app, 'Studio');
  const bridge = new GameyeMatchBridge(stack, 'Bridge', { bridgeConfig: exampleConfig(), ...props });
  return { app, stack, bridge, template: Template.fromStack(stack) };
}

/** The one resource of a type in the template (fails when there are several or none). */
export function onlyResource(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, properties: resource.Properties };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const cfn = construct.node.defaultChild;
  if (!(cfn && typeof cfn === 'object' && 'logicalId' in cfn)) throw new Error('no CloudFormation resource');
  return stack.resolve((cfn as { logicalId: string }).logicalId) as string;
}
