import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthConstruct, synthStack } from './synth.ts';

let report: PolicyValidationPluginReport;
let root: IConstruct;
let synth: () => unknown;

beforeAll(() => {
  const { app } = synthStack({ bridge: { alarmEmail: 'oncall@example.com' } });
  const pack = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(pack);
  root = app;
  report = pack.validateScope(app);
  synth = () => app.synth();
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    expect(
      report.violations.map(
        (v) =>
          `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets the app synthesize with the pack registered, as bin/app.ts does', () => {
    expect(synth).not.toThrow();
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledged = root.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(20);
    }
  });
});

describe('cdk-nag AwsSolutions on other prop combinations', () => {
  it.each<[string, Parameters<typeof synthConstruct>[0]]>([
    ['KMS-encrypted queues', { queueEncryption: 'kms' }],
    ['no access logs', { archiveAccessLogs: false }],
    [
      'an imported token secret with its own key',
      {
        gameyeTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf',
        gameyeTokenSecretKeyArn:
          'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    ],
    ['no dashboard, source maps at runtime', { dashboard: false, sourceMapsAtRuntime: true }],
  ])('%s: no unacknowledged finding', (_name, props) => {
    const { app } = synthConstruct(props);
    const pack = new AwsSolutionsChecks(app);
    const result = pack.validateScope(app);
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
