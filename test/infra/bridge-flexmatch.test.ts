import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  type FlexMatchProps,
  GameyeMatchBridge,
  type GameyeMatchBridgeProps,
} from '../../lib/bridge-construct.ts';
import { flexMatchFromContext } from '../../lib/flexmatch-context.ts';
import { exampleConfig, logicalId, newApp, synthConstruct, synthStack } from './synth.ts';

const FLEXMATCH = { configurations: { 'ranked-5v5-config': { profile: 'ranked-5v5' } } };

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The construct in a stack with a concrete account and region, so ARNs read as literals. */
function synthInAccount(props: Partial<GameyeMatchBridgeProps> = {}) {
  const app = newApp();
  const stack = new Stack(app, 'Studio', { env: { account: '111122223333', region: 'eu-west-1' } });
  const bridge = new GameyeMatchBridge(stack, 'Bridge', {
    bridgeConfig: exampleConfig(),
    flexMatch: FLEXMATCH,
    ...props,
  });
  return { app, stack, bridge, template: Template.fromStack(stack) };
}

function statements(template: Template, type: string, documentKey: string): Statement[] {
  return Object.values(template.findResources(type)).flatMap(
    (r) =>
      (r as { Properties: Record<string, { Statement: Statement[] }> }).Properties[documentKey]?.Statement ??
      [],
  );
}

/** The one rule's name, as written in the template (a literal, not a reference). */
function ruleNameOf(template: Template): string {
  const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as {
    Properties: { Name: unknown };
  }[];
  if (typeof rule?.Properties.Name !== 'string') throw new Error('the rule has no literal name');
  return rule.Properties.Name;
}

const byEventBridge = (s: Statement) =>
  JSON.stringify(s.Principal ?? '').includes('events.amazonaws.com') && s.Effect === 'Allow';

const bridgeConfigOf = (template: Template): Record<string, unknown>[] =>
  Object.values(template.findResources('AWS::Lambda::Function')).map(
    (f) =>
      JSON.parse(
        (f as { Properties: { Environment: { Variables: { BRIDGE_CONFIG: string } } } }).Properties
          .Environment.Variables.BRIDGE_CONFIG,
      ) as Record<string, unknown>,
  );

describe('without the flexMatch prop', () => {
  const { template } = synthConstruct();

  it('creates no EventBridge rule, no FlexMatch queue and grants no GameLift action', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('gamelift:');
    expect(statements(template, 'AWS::SQS::QueuePolicy', 'PolicyDocument').filter(byEventBridge)).toEqual([]);
  });

  it('gives the functions a config with no FlexMatch source', () => {
    for (const config of bridgeConfigOf(template)) expect(JSON.stringify(config)).not.toContain('flexMatch');
  });
});

describe('with the flexMatch prop', () => {
  const { stack, bridge, template } = synthInAccount();
  const flexMatch = bridge.flexMatchEvents;
  if (!flexMatch) throw new Error('no FlexMatch events construct');
  // The rule's ARN as the policies name it: written from the rule's name, not a reference to it
  // (which would make the KMS key, the queue and the rule depend on one another in a circle).
  const ruleArn = `arn:aws:events:eu-west-1:111122223333:rule/${ruleNameOf(template)}`;
  const matchesQueueArn = { 'Fn::GetAtt': [logicalId(stack, bridge.matchesQueue), 'Arn'] };
  const ruleDlqArn = { 'Fn::GetAtt': [logicalId(stack, flexMatch.deadLetterQueue), 'Arn'] };

  it('matches only MatchmakingSucceeded of the named configurations, in the stack’s region and account', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect((rules[0] as { Properties: { EventPattern: unknown } }).Properties.EventPattern).toEqual({
      source: ['aws.gamelift'],
      'detail-type': ['GameLift Matchmaking Event'],
      resources: ['arn:aws:gamelift:eu-west-1:111122223333:matchmakingconfiguration/ranked-5v5-config'],
      detail: { type: ['MatchmakingSucceeded'] },
    });
  });

  it('targets the matches queue, with a dead-letter queue of its own and EventBridge’s retries', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as {
      Properties: { Targets: Record<string, unknown>[]; State?: string };
    };
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: matchesQueueArn,
        DeadLetterConfig: { Arn: ruleDlqArn },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      }),
    ]);
    // A role on an SQS target makes EventBridge deliver as that role, which the queue policy
    // below does not name.
    expect(rule.Properties.Targets[0]).not.toHaveProperty('RoleArn');
  });

  it('keeps undeliverable events 14 days in a queue that is no other queue’s DLQ, encrypted like the others', () => {
    const dlq = template.findResources('AWS::SQS::Queue')[logicalId(stack, flexMatch.deadLetterQueue)] as {
      Properties: Record<string, unknown>;
    };
    expect(dlq.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
    expect(JSON.stringify(template.findResources('AWS::SQS::Queue'))).not.toContain(
      `"deadLetterTargetArn":${JSON.stringify(ruleDlqArn)}`,
    );
  });

  it('lets EventBridge send to the matches queue and the rule DLQ from this rule only, and nothing else', () => {
    const allowed = statements(template, 'AWS::SQS::QueuePolicy', 'PolicyDocument').filter(byEventBridge);
    expect(allowed).toEqual(
      expect.arrayContaining(
        [matchesQueueArn, ruleDlqArn].map((resource) =>
          expect.objectContaining({
            Action: 'sqs:SendMessage',
            Resource: resource,
            Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
          }),
        ),
      ),
    );
    expect(allowed).toHaveLength(2);
  });

  it('gives the placement function gamelift:DescribeMatchmaking, alone in its statement, and the reaper nothing of GameLift', () => {
    const gamelift = statements(template, 'AWS::IAM::Policy', 'PolicyDocument').filter((s) =>
      JSON.stringify(s.Action).includes('gamelift:'),
    );
    expect(gamelift).toEqual([
      expect.objectContaining({ Action: 'gamelift:DescribeMatchmaking', Resource: '*' }),
    ]);
    const placementRole = logicalId(stack, bridge.placementFunction.role as unknown as Stack);
    const holder = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes('gamelift:DescribeMatchmaking'),
    ) as { Properties: { Roles: unknown[] } };
    expect(holder.Properties.Roles).toEqual([{ Ref: placementRole }]);
  });

  it('has DescribeMatchmaking as the only identity statement on every resource', () => {
    const wildcards = statements(template, 'AWS::IAM::Policy', 'PolicyDocument').filter((s) =>
      [s.Resource].flat().includes('*'),
    );
    expect(wildcards.map((s) => s.Action)).toEqual(['gamelift:DescribeMatchmaking']);
  });

  it('writes the configurations into both functions’ config as sources.flexMatch, beside MatchFound v1', () => {
    const configs = bridgeConfigOf(template);
    expect(configs).toHaveLength(2);
    for (const config of configs) {
      expect(config.sources).toEqual({ matchFound: {}, flexMatch: FLEXMATCH });
    }
    expect(bridge.bridgeConfig.sources).toEqual({ matchFound: {}, flexMatch: FLEXMATCH });
  });

  it('keeps the sources the config names beside FlexMatch, without adding MatchFound v1', () => {
    const openMatch2 = { latencyPrefix: 'latency-ms.', defaultProfile: 'ranked-5v5' };
    const { template: named } = synthInAccount({
      bridgeConfig: { ...exampleConfig(), sources: { openMatch2 } },
    });

    for (const config of bridgeConfigOf(named)) {
      expect(config.sources).toEqual({ openMatch2, flexMatch: FLEXMATCH });
    }
  });

  it('alarms when an event waits in the rule DLQ', () => {
    expect(bridge.alarms.flexMatchEventsUndelivered).toBeDefined();
    expect(bridge.alarms.all).toContain(bridge.alarms.flexMatchEventsUndelivered);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Studio-Bridge-FlexMatchEventsUndelivered',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack, flexMatch.deadLetterQueue), 'QueueName'] },
        },
      ],
    });
  });

  it('alarms when FlexMatch matches are placed by preference because the ticket lookup failed, whatever the kind', () => {
    expect(bridge.alarms.all).toContain(bridge.alarms.flexMatchLatenciesUnread);
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: 'Studio-Bridge-FlexMatchLatenciesUnread' },
    });
    const [alarm] = Object.values(alarms) as {
      Properties: {
        Metrics: {
          MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } };
        }[];
      };
    }[];
    const kinds = (alarm?.Properties.Metrics ?? []).flatMap((m) =>
      m.MetricStat?.Metric.MetricName === 'FlexMatchLatenciesUnread'
        ? m.MetricStat.Metric.Dimensions.filter((d) => d.Name === 'kind').map((d) => d.Value)
        : [],
    );
    expect(kinds.sort()).toEqual(['denied', 'rejected', 'throttled', 'unavailable']);
  });

  it('puts no KMS statement for EventBridge in a key the queues do not use', () => {
    expect(statements(template, 'AWS::KMS::Key', 'KeyPolicy').filter(byEventBridge)).toEqual([]);
  });
});

describe('with the flexMatch prop and KMS-encrypted queues', () => {
  it('lets EventBridge use the key for this rule’s deliveries only', () => {
    const { stack, bridge, template } = synthInAccount({ queueEncryption: 'kms' });

    const allowed = statements(template, 'AWS::KMS::Key', 'KeyPolicy').filter(byEventBridge);

    expect(allowed).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: {
          ArnEquals: {
            'aws:SourceArn': `arn:aws:events:eu-west-1:111122223333:rule/${ruleNameOf(template)}`,
          },
        },
      }),
    ]);
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 86_400,
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, bridge.encryptionKey as kms.Key), 'Arn'] },
    });
  });

  it('warns at synth when the key is imported and its policy cannot be changed', () => {
    const app = newApp();
    const stack = new Stack(app, 'Studio', { env: { account: '111122223333', region: 'eu-west-1' } });
    new GameyeMatchBridge(stack, 'Bridge', {
      bridgeConfig: exampleConfig(),
      flexMatch: FLEXMATCH,
      queueEncryption: 'kms',
      encryptionKey: kms.Key.fromKeyArn(
        stack,
        'Imported',
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
    });

    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('events\\.amazonaws\\.com'),
    );

    expect(warnings).toHaveLength(1);
  });
});

describe('cdk-nag AwsSolutions with the flexMatch prop', () => {
  it.each<[string, Partial<GameyeMatchBridgeProps>]>([
    ['SQS-managed queues', {}],
    ['KMS-encrypted queues', { queueEncryption: 'kms' }],
  ])('%s: no unacknowledged finding', (_name, props) => {
    const { app } = synthConstruct({ flexMatch: FLEXMATCH, ...props });

    const result = new AwsSolutionsChecks(app).validateScope(app);

    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('the flexMatch prop is checked at synth', () => {
  it.each<[string, FlexMatchProps, RegExp]>([
    ['no configuration', { configurations: {} }, /flexMatch.configurations must name at least one/],
    [
      'an ARN instead of a name',
      {
        configurations: {
          'arn:aws:gamelift:eu-west-1:1:matchmakingconfiguration/x': { profile: 'ranked-5v5' },
        },
      },
      /'arn:aws:gamelift:eu-west-1:1:matchmakingconfiguration\/x' is not a FlexMatch matchmaking configuration name/,
    ],
    [
      'a name with a space',
      { configurations: { 'ranked 5v5': { profile: 'ranked-5v5' } } },
      /'ranked 5v5' is not a FlexMatch matchmaking configuration name/,
    ],
    [
      'a name longer than 128 characters',
      { configurations: { ['c'.repeat(129)]: { profile: 'ranked-5v5' } } },
      /is not a FlexMatch matchmaking configuration name/,
    ],
    [
      'a profile the bridge config does not have',
      { configurations: { 'ranked-5v5-config': { profile: 'casual' } } },
      /flexMatch.configurations.ranked-5v5-config.profile: bridgeConfig has no profile 'casual' \(profiles: ranked-5v5\)/,
    ],
  ])('refuses %s, naming it', (_name, flexMatch, message) => {
    expect(() => synthConstruct({ flexMatch })).toThrow(message);
  });

  it('refuses FlexMatch configured both in the prop and in bridgeConfig.sources', () => {
    const bridgeConfig = { ...exampleConfig(), sources: { flexMatch: FLEXMATCH } };

    expect(() => synthConstruct({ flexMatch: FLEXMATCH, bridgeConfig })).toThrow(
      /flexMatch is set both as a prop and in bridgeConfig.sources.flexMatch/,
    );
  });

  it('refuses FlexMatch configured in bridgeConfig.sources alone: only the prop grants the ticket lookup', () => {
    const bridgeConfig = { ...exampleConfig(), sources: { flexMatch: FLEXMATCH } };

    expect(() => synthConstruct({ bridgeConfig })).toThrow(
      /bridgeConfig.sources.flexMatch is set but the flexMatch prop is not: move the configurations to the prop/,
    );
  });

  it('keeps its own copy of the configurations: a later change to the caller’s object changes nothing', () => {
    const configurations: Record<string, { profile: string }> = {
      'ranked-5v5-config': { profile: 'ranked-5v5' },
    };
    const app = newApp();
    const stack = new Stack(app, 'Studio');
    new GameyeMatchBridge(stack, 'Bridge', { bridgeConfig: exampleConfig(), flexMatch: { configurations } });

    configurations['late-config'] = { profile: 'ranked-5v5' };

    const pattern = JSON.stringify(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(pattern).not.toContain('late-config');
  });
});

describe('the project app (bin/app.ts) takes FlexMatch from context', () => {
  it('reads -c flexMatch as JSON, or an object from cdk.json, and nothing when it is absent', () => {
    const json = '{"ranked-5v5-config":{"profile":"ranked-5v5"}}';

    expect(flexMatchFromContext(json)).toEqual(FLEXMATCH);
    expect(flexMatchFromContext(FLEXMATCH.configurations)).toEqual(FLEXMATCH);
    expect(flexMatchFromContext(undefined)).toBeUndefined();
  });

  it('refuses context that is not JSON or not a map of configurations to profiles', () => {
    expect(() => flexMatchFromContext('{ranked')).toThrow(/-c flexMatch: not JSON/);
    expect(() => flexMatchFromContext('{"ranked-5v5-config":"ranked-5v5"}')).toThrow(
      /-c flexMatch: expected \{"<configuration name>": \{"profile": "<profile>"\}/,
    );
  });

  it('outputs the rule and its dead-letter queue when the stack takes FlexMatch', () => {
    const { template } = synthStack({ bridge: { flexMatch: FLEXMATCH } });

    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['FlexMatchRuleArn', 'FlexMatchDeadLetterQueueUrl']),
    );
    expect(Object.keys(synthStack().template.findOutputs('*'))).not.toContain('FlexMatchRuleArn');
  });
});
