import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GameyeMatchBridge } from '../../lib/bridge-construct.ts';
import { logicalId, synthConstruct } from './synth.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;
let stack: Stack;
let bridge: GameyeMatchBridge;

beforeAll(() => {
  ({ template, stack, bridge } = synthConstruct());
});

/** Every statement of the identity policies attached to a role, actions sorted. */
function statementsOf(role: {
  node: { defaultChild?: unknown };
}): { actions: string[]; resource: unknown }[] {
  const roleId = logicalId(stack, role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(`"${roleId}"`),
  );
  return policies.flatMap((p) =>
    (
      p as { Properties: { PolicyDocument: { Statement: Statement[] } } }
    ).Properties.PolicyDocument.Statement.map((s) => {
      expect(s.Effect).toBe('Allow');
      return { actions: [s.Action].flat().sort(), resource: s.Resource };
    }),
  );
}

const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

describe('placement function permissions', () => {
  it('are exactly: own logs, consume the queue, claim and update records, publish, park in the DLQ, read the token', () => {
    const fn = bridge.placementFunction;
    const role = fn.role as unknown as { node: { defaultChild?: unknown } };
    expect(statementsOf(role)).toEqual(
      expect.arrayContaining([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: getAtt(logicalId(stack, bridge.placementLogGroup)),
        },
        {
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          resource: getAtt(logicalId(stack, bridge.matchesQueue)),
        },
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resource: getAtt(logicalId(stack, bridge.sessionsTable)),
        },
        { actions: ['sns:Publish'], resource: { Ref: logicalId(stack, bridge.sessionEventsTopic) } },
        {
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resource: getAtt(logicalId(stack, bridge.encryptionKey)),
        },
        { actions: ['sqs:SendMessage'], resource: getAtt(logicalId(stack, bridge.deadLetterQueue)) },
        {
          actions: ['secretsmanager:GetSecretValue'],
          resource: { Ref: logicalId(stack, bridge.gameyeTokenSecret) },
        },
      ]),
    );
    // No S3 at all: MatchEnded stops the session here, the reaper archives it.
    expect(statementsOf(role)).toHaveLength(7);
  });
});

describe('placement retry backoff', () => {
  it('may change the visibility of matches messages, through the event source, on that queue only', () => {
    const role = bridge.placementFunction.role as unknown as { node: { defaultChild?: unknown } };
    const changing = statementsOf(role).filter((s) => s.actions.includes('sqs:ChangeMessageVisibility'));
    expect(changing).toEqual([
      expect.objectContaining({ resource: getAtt(logicalId(stack, bridge.matchesQueue)) }),
    ]);
  });
});

describe('reaper function permissions', () => {
  it('are exactly: own logs, query the active index, read and update records, publish, write artifacts, read the token', () => {
    const role = bridge.reaperFunction.role as unknown as { node: { defaultChild?: unknown } };
    const tableId = logicalId(stack, bridge.sessionsTable);
    const statements = statementsOf(role);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: getAtt(logicalId(stack, bridge.reaperLogGroup)),
        },
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: getAtt(tableId) },
        {
          actions: ['dynamodb:Query'],
          resource: { 'Fn::Join': ['', [getAtt(tableId), '/index/active-sessions']] },
        },
        { actions: ['sns:Publish'], resource: { Ref: logicalId(stack, bridge.sessionEventsTopic) } },
        {
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resource: getAtt(logicalId(stack, bridge.encryptionKey)),
        },
        {
          actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
          resource: { 'Fn::Join': ['', [getAtt(logicalId(stack, bridge.archiveBucket)), '/sessions/*']] },
        },
        {
          actions: ['secretsmanager:GetSecretValue'],
          resource: { Ref: logicalId(stack, bridge.gameyeTokenSecret) },
        },
      ]),
    );
    expect(statements).toHaveLength(7);
  });

  it('cannot touch the DLQ or read the bucket', () => {
    const role = bridge.reaperFunction.role as unknown as { node: { defaultChild?: unknown } };
    const actions = statementsOf(role).flatMap((s) => s.actions);
    expect(actions.filter((a) => a.startsWith('sqs:') || a === 's3:GetObject')).toEqual([]);
  });
});

describe('everywhere', () => {
  it('no identity policy grants a bare * resource or a service-wide * action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const s of (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
        .PolicyDocument.Statement) {
        expect([s.Resource].flat()).not.toContain('*');
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/:\*$/);
      }
    }
  });

  it('no role has an AWS managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: Record<string, unknown> }).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('the scheduler may invoke only the reaper', () => {
    const reaperId = logicalId(stack, bridge.reaperFunction);
    const invokes = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (
        p as { Properties: { PolicyDocument: { Statement: Statement[] } } }
      ).Properties.PolicyDocument.Statement.filter((s) =>
        [s.Action].flat().includes('lambda:InvokeFunction'),
      ),
    );
    expect(invokes).toHaveLength(1);
    expect(JSON.stringify(invokes[0]?.Resource)).toContain(reaperId);
    expect(JSON.stringify(invokes[0]?.Resource)).not.toContain(logicalId(stack, bridge.placementFunction));
  });

  it('the functions get no token value, only the imported secret ARN when one is given', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf';
    const imported = synthConstruct({ gameyeTokenSecretArn: arn });
    imported.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const json = JSON.stringify(imported.template.findResources('AWS::IAM::Policy'));
    expect(json).toContain(arn);
    const env = JSON.stringify(imported.template.findResources('AWS::Lambda::Function'));
    expect(env).toContain(`"GAMEYE_TOKEN_SECRET_ARN":"${arn}"`);
  });
});
