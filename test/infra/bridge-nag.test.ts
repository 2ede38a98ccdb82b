import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from './synth.ts';

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
