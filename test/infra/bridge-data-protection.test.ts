/**
 * What happens to the bridge's data when the stack is deleted or a resource replaced
 * (`removalPolicy`), and how archives are kept from silent overwrites (versioning, and the
 * Object Lock recipe the README gives).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { GameyeMatchBridge } from '../../lib/bridge-construct.ts';
import { exampleConfig, logicalId, newApp, synthConstruct } from './synth.ts';

/** Every resource that holds the bridge's data, or the key or secret that unlocks it. */
const STATEFUL_TYPES = {
  'AWS::DynamoDB::Table': 1,
  'AWS::S3::Bucket': 2,
  'AWS::SQS::Queue': 2,
  'AWS::Logs::LogGroup': 2,
  'AWS::KMS::Key': 1,
  'AWS::SecretsManager::Secret': 1,
} as const;

function removalPoliciesOf(template: Template): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(STATEFUL_TYPES).map((type) => [
      type,
      Object.values(template.findResources(type)).map((r) => {
        const { DeletionPolicy, UpdateReplacePolicy } = r as Record<string, string>;
        return `${DeletionPolicy}/${UpdateReplacePolicy}`;
      }),
    ]),
  );
}

const every = (policy: string) =>
  Object.fromEntries(Object.entries(STATEFUL_TYPES).map(([type, n]) => [type, Array(n).fill(policy)]));

describe('removalPolicy', () => {
  it('retains the table, buckets, queues, log groups, key and secret by default', () => {
    const { template } = synthConstruct();
    expect(removalPoliciesOf(template)).toEqual(every('Retain/Retain'));
  });

  it('retains them all when asked to retain', () => {
    const { template } = synthConstruct({ removalPolicy: RemovalPolicy.RETAIN });
    expect(removalPoliciesOf(template)).toEqual(every('Retain/Retain'));
  });

  it('deletes them all with the stack when asked to destroy', () => {
    const { template } = synthConstruct({ removalPolicy: RemovalPolicy.DESTROY });
    expect(removalPoliciesOf(template)).toEqual(every('Delete/Delete'));
  });

  it('rejects SNAPSHOT, which none of these resources supports', () => {
    expect(() => synthConstruct({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      /removalPolicy SNAPSHOT is not supported/,
    );
  });
});

describe('archive versioning', () => {
  const archiveOf = (props: Parameters<typeof synthConstruct>[0]) => {
    const { template, stack, bridge } = synthConstruct(props);
    const id = logicalId(stack, bridge.archiveBucket);
    return (template.findResources('AWS::S3::Bucket')[id] as { Properties: Record<string, unknown> })
      .Properties;
  };
  const ruleOf = (bucket: Record<string, unknown>) =>
    (bucket.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules[0];

  it('is on by default, and an overwritten or deleted version expires after 30 days', () => {
    const bucket = archiveOf({});
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(ruleOf(bucket)).toMatchObject({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } });
  });

  it('keeps old versions for the age asked, or until removed by hand', () => {
    expect(ruleOf(archiveOf({ archiveNoncurrentVersionExpiration: Duration.days(7) }))).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
    });
    const forever = archiveOf({ archiveNoncurrentVersionExpiration: null });
    expect(forever.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(ruleOf(forever)).not.toHaveProperty('NoncurrentVersionExpiration');
  });

  it('is off with archiveVersioned: false, with no rule for old versions', () => {
    const bucket = archiveOf({ archiveVersioned: false });
    expect(bucket.VersioningConfiguration).toBeUndefined();
    expect(ruleOf(bucket)).not.toHaveProperty('NoncurrentVersionExpiration');
  });

  it('rejects an age for old versions on an unversioned bucket', () => {
    expect(() =>
      synthConstruct({ archiveVersioned: false, archiveNoncurrentVersionExpiration: Duration.days(7) }),
    ).toThrow(/archiveNoncurrentVersionExpiration needs archiveVersioned/);
  });

  it("takes the README's Object Lock recipe (governance mode) on a new bucket", () => {
    const stack = new Stack(newApp(), 'Studio');
    const bridge = new GameyeMatchBridge(stack, 'Bridge', { bridgeConfig: exampleConfig() });
    // As the README's "Deploy and operate" writes it.
    const cfnArchive = bridge.archiveBucket.node.defaultChild as s3.CfnBucket;
    cfnArchive.objectLockEnabled = true;
    cfnArchive.objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'GOVERNANCE', days: 365 } },
    };
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
        },
        // Object Lock works only on a versioned bucket: the default.
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });
});
