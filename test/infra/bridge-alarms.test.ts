import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../lambdas/shared/metric-names.ts';
import type { GameyeMatchBridge } from '../../lib/bridge-construct.ts';
import { logicalId, synthStack } from './synth.ts';

let template: Template;
let stack: Stack;
let bridge: GameyeMatchBridge;
let alarmTopicId: string;

beforeAll(() => {
  ({ template, stack, bridge } = synthStack({ bridge: { alarmEmail: 'oncall@example.com' } }));
  alarmTopicId = logicalId(stack, bridge.alarms.topic);
});

const service = { Name: 'service', Value: 'gameye-match-bridge' };

type Construct = { node: { defaultChild?: unknown } };

/** The properties of a construct's resource of `type`, in this file's stack or in `of`. */
function propsOf(
  type: string,
  construct: Construct,
  of: { template: Template; stack: Stack } = { template, stack },
): Record<string, unknown> {
  const resource = of.template.findResources(type)[logicalId(of.stack, construct)] as {
    Properties: Record<string, unknown>;
  };
  return resource.Properties;
}

function alarmProps(alarm: Construct, of?: { template: Template; stack: Stack }): Record<string, unknown> {
  return propsOf('AWS::CloudWatch::Alarm', alarm, of);
}

describe('alarm topic', () => {
  it('is encrypted, TLS only, and mails the on-call address', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Gameye match bridge alarms',
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: alarmTopicId },
    });
  });

  it('lets CloudWatch use the key, or alarms could not publish to the encrypted topic', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch alarms of this account publish, which its TLS-only policy would otherwise forbid', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: alarmTopicId },
            Condition: {
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('receives every alarm on ALARM and on OK', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(14);
    for (const alarm of alarms) {
      const p = (alarm as { Properties: Record<string, unknown> }).Properties;
      expect(p.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
      expect(p.OKActions).toEqual([{ Ref: alarmTopicId }]);
    }
  });

  it('are named for on-call: stack, bridge, alarm', () => {
    expect(alarmProps(bridge.alarms.deadLetterQueueNotEmpty).AlarmName).toBe(
      'Bridge-Bridge-DeadLetterQueueNotEmpty',
    );
    expect(alarmProps(bridge.alarms.reaperThrottles).AlarmName).toBe('Bridge-Bridge-ReaperThrottles');
    const names = bridge.alarms.all.map((a) => alarmProps(a).AlarmName);
    expect(new Set(names).size).toBe(bridge.alarms.all.length);
  });

  it('treats missing data as fine, except for the alarm whose failure is no data at all', () => {
    for (const alarm of bridge.alarms.all) {
      const expected = alarm === bridge.alarms.reaperNotRunning ? 'breaching' : 'notBreaching';
      expect(alarmProps(alarm).TreatMissingData, alarm.node.id).toBe(expected);
    }
  });
});

describe('alarms', () => {
  it('DLQ not empty: one visible message is enough', () => {
    expect(alarmProps(bridge.alarms.deadLetterQueueNotEmpty)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack, bridge.deadLetterQueue), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('oldest match message older than 5 minutes', () => {
    expect(alarmProps(bridge.alarms.oldestMatchTooOld)).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, bridge.matchesQueue), 'QueueName'] } },
      ],
      Threshold: 300,
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
  });

  it.each([
    ['placementErrors', 'Errors', 'placementFunction'],
    ['placementThrottles', 'Throttles', 'placementFunction'],
    ['reaperErrors', 'Errors', 'reaperFunction'],
    ['reaperThrottles', 'Throttles', 'reaperFunction'],
  ] as const)('%s watches %s of its function', (alarm, metric, fn) => {
    expect(alarmProps(bridge.alarms[alarm])).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, bridge[fn]) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('placement failure rate is metric math over PlacementFailed and PlacementSucceeded, once there are enough', () => {
    const p = alarmProps(bridge.alarms.placementFailureRate);
    expect(p.Threshold).toBe(10);
    const metrics = p.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown> };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF((failed + succeeded) >= 5, 100 * failed / (failed + succeeded), 0)',
    );
    expect(metrics.find((m) => m.Id === 'failed')?.MetricStat?.Metric).toEqual({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.placementFailed.name,
      Dimensions: [service],
    });
    expect(metrics.find((m) => m.Id === 'succeeded')?.MetricStat?.Metric).toMatchObject({
      MetricName: METRICS.placementSucceeded.name,
    });
  });

  it('p95 placement latency', () => {
    expect(alarmProps(bridge.alarms.placementLatencyP95)).toMatchObject({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.placementLatency.name,
      Dimensions: [service],
      ExtendedStatistic: 'p95',
      Threshold: 15_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('reaper not running: fewer than one invocation over 3 periods, missing data breaching', () => {
    expect(alarmProps(bridge.alarms.reaperNotRunning)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, bridge.reaperFunction) } }],
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('orphans found: any OrphansStopped', () => {
    expect(alarmProps(bridge.alarms.orphansFound)).toMatchObject({
      MetricName: METRICS.orphansStopped.name,
      Dimensions: [service],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('Gameye 5xx rate: 5xx answers over attempts (both counted per attempt), once there are enough calls', () => {
    const p = alarmProps(bridge.alarms.gameye5xx);
    expect(p.Threshold).toBe(5);
    const metrics = p.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown> };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(requests >= 20, 100 * errors / requests, 0)',
    );
    expect(metrics.find((m) => m.Id === 'errors')?.MetricStat?.Metric).toEqual({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.gameyeServerErrors.name,
      Dimensions: [service],
    });
    expect(metrics.find((m) => m.Id === 'requests')?.MetricStat?.Metric).toEqual({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.gameyeRequests.name,
      Dimensions: [service],
    });
  });
});

describe('corrupt records', () => {
  it('alarm on the first record the reaper had to skip', () => {
    expect(alarmProps(bridge.alarms.corruptRecords)).toMatchObject({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.corruptRecordsSkipped.name,
      Dimensions: [service],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('archive backlog', () => {
  it('alarms when a stopped session has waited for its archive longer than 5 minutes, as the reaper reports it', () => {
    expect(alarmProps(bridge.alarms.archiveBacklog)).toMatchObject({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.archiveBacklogAge.name,
      Dimensions: [service],
      Statistic: 'Maximum',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('reaper memory', () => {
  it('alarms when the reaper has used 75 % of its 512 MB, as it reports its peak', () => {
    expect(alarmProps(bridge.alarms.reaperMemoryHigh)).toMatchObject({
      Namespace: 'GameyeMatchBridge',
      MetricName: METRICS.reaperPeakMemory.name,
      Dimensions: [service],
      Statistic: 'Maximum',
      Threshold: 384,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it("follows the reaper's own memory size and the threshold prop", () => {
    const other = synthStack({
      bridge: { memorySize: 256, reaperMemorySize: 1024, alarmThresholds: { reaperMemoryPercent: 80 } },
    });
    expect(alarmProps(other.bridge.alarms.reaperMemoryHigh, other).Threshold).toBe(819);
    expect(propsOf('AWS::Lambda::Function', other.bridge.reaperFunction, other).MemorySize).toBe(1024);
    expect(propsOf('AWS::Lambda::Function', other.bridge.placementFunction, other).MemorySize).toBe(256);
  });

  it('gives the reaper memorySize when reaperMemorySize is not set', () => {
    const other = synthStack({ bridge: { memorySize: 768 } });
    expect(alarmProps(other.bridge.alarms.reaperMemoryHigh, other).Threshold).toBe(576);
  });

  it('judges a window of at least one run, so runs further apart than 5 minutes never leave one empty', () => {
    const slow = synthStack({ bridge: { reaperRate: Duration.minutes(10) } });
    for (const alarm of [slow.bridge.alarms.reaperMemoryHigh, slow.bridge.alarms.archiveBacklog]) {
      expect(alarmProps(alarm, slow).Period).toBe(600);
    }
    expect(alarmProps(bridge.alarms.reaperMemoryHigh).Period).toBe(300);
  });
});

describe('dashboard', () => {
  it('shows the alarms and every custom metric', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toHaveLength(1);
    const body = JSON.stringify(stack.resolve((dashboard[0] as { Properties: unknown }).Properties));
    for (const def of Object.values(METRICS)) expect(body).toContain(def.name);
    for (const alarm of bridge.alarms.all) expect(body).toContain(logicalId(stack, alarm));
  });

  it('draws each function’s duration against its timeout', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(stack.resolve((dashboard as { Properties: unknown }).Properties));
    expect(body).toContain('Placement duration (ms)');
    expect(body).toContain('Reaper duration (ms)');
    expect(body).toContain('\\"value\\":30000,\\"label\\":\\"timeout\\"');
  });
});
