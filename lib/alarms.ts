/**
 * The bridge's alarms, all sent to one encrypted SNS topic. The README's "Alarms" table says
 * what each one means and what the operator does about it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  MATCHMAKER_FAILURES,
  METRICS,
  type MetricKey,
  SERVICE_DIMENSION,
} from '../lambdas/shared/metric-names.ts';

/** Thresholds of the bridge's alarms. */
export interface BridgeAlarmThresholds {
  /**
   * Age of the oldest match message that raises the alarm.
   * @default Duration.minutes(5)
   */
  readonly oldestMatchAge?: Duration;
  /**
   * Errors of either function per 5 minutes that raise its alarm.
   * @default 1
   */
  readonly functionErrors?: number;
  /**
   * Throttles of either function per 5 minutes that raise its alarm.
   * @default 1
   */
  readonly functionThrottles?: number;
  /**
   * Placement failure rate, in percent of placements over 5 minutes.
   * @default 10
   */
  readonly placementFailureRatePercent?: number;
  /**
   * p95 placement latency, in milliseconds over 5 minutes.
   * @default 15000
   */
  readonly placementLatencyP95Ms?: number;
  /**
   * Consecutive reaper periods (each `reaperRate` long) with no invocation before the alarm.
   * @default 3
   */
  readonly reaperMissedPeriods?: number;
  /**
   * Percent of Gameye calls answered 5xx over 5 minutes that raises the alarm (evaluated once
   * at least {@link gameyeMinimumRequests} calls were made).
   * @default 5
   */
  readonly gameye5xxRatePercent?: number;
  /**
   * Calls in 5 minutes below which the 5xx rate is not judged (2 failures of 3 calls is noise).
   * @default 20
   */
  readonly gameyeMinimumRequests?: number;
  /**
   * Placements (succeeded plus failed) in 5 minutes below which the failure rate is not judged:
   * at a quiet hour, one bad event out of one is 100 %.
   * @default 5
   */
  readonly placementMinimumCount?: number;
  /**
   * How long a stopped session's archive may wait before the alarm: Gameye keeps its artifacts
   * only until it removes the container.
   * @default Duration.minutes(5)
   */
  readonly archiveBacklogAge?: Duration;
  /**
   * The reaper's peak memory, in percent of its memory size, that raises the alarm: the
   * location with the most sessions sets it, and past 100 % the reaper fails every run.
   * @default 75
   */
  readonly reaperMemoryPercent?: number;
}

/** What the alarms watch. */
export interface BridgeAlarmTargets {
  readonly matchesQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly placementFunction: IFunction;
  readonly reaperFunction: IFunction;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  /** The FlexMatch rule's dead-letter queue, when the bridge takes FlexMatch events. */
  readonly flexMatchEvents?: { readonly deadLetterQueue: sqs.IQueue } | undefined;
}

export interface BridgeAlarmsProps {
  /** The resources and metric identity to watch. */
  readonly bridge: BridgeAlarmTargets;
  /** Encrypts the alarm topic; its policy must let `cloudwatch.amazonaws.com` use it. */
  readonly encryptionKey: kms.IKey;
  /** The reaper's schedule rate: one alarm period. */
  readonly reaperRate: Duration;
  /**
   * The reaper function's memory size, in MiB: what its peak memory is judged against.
   * @default 512 (the construct passes the reaper's own memory size)
   */
  readonly reaperMemorySize?: number;
  /**
   * Subscribed to the alarm topic by email.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * @default - see each field of `BridgeAlarmThresholds`
   */
  readonly thresholds: BridgeAlarmThresholds;
}

const FIVE_MINUTES = Duration.minutes(5);

export class BridgeAlarms extends Construct {
  /** Every alarm publishes here, on ALARM and on OK. */
  public readonly topic: sns.Topic;
  public readonly deadLetterQueueNotEmpty: cloudwatch.Alarm;
  public readonly oldestMatchTooOld: cloudwatch.Alarm;
  public readonly placementErrors: cloudwatch.Alarm;
  public readonly placementThrottles: cloudwatch.Alarm;
  public readonly reaperErrors: cloudwatch.Alarm;
  public readonly reaperThrottles: cloudwatch.Alarm;
  public readonly placementFailureRate: cloudwatch.Alarm;
  public readonly placementLatencyP95: cloudwatch.Alarm;
  public readonly reaperNotRunning: cloudwatch.Alarm;
  public readonly orphansFound: cloudwatch.Alarm;
  public readonly gameye5xx: cloudwatch.Alarm;
  public readonly corruptRecords: cloudwatch.Alarm;
  /** Stopped sessions wait for their archives longer than `archiveBacklogAge`. */
  public readonly archiveBacklog: cloudwatch.Alarm;
  /** The reaper's peak memory passed `reaperMemoryPercent` of its memory size. */
  public readonly reaperMemoryHigh: cloudwatch.Alarm;
  /** FlexMatch events EventBridge could not deliver; only with the `flexMatch` prop. */
  public readonly flexMatchEventsUndelivered: cloudwatch.Alarm | undefined;
  /** FlexMatch matches placed by preference because their tickets' latencies were unread. */
  public readonly flexMatchLatenciesUnread: cloudwatch.Alarm | undefined;
  /** Threshold of `placementLatencyP95`, in milliseconds. */
  public readonly placementLatencyP95Ms: number;
  /**
   * The period of the metrics the reaper reports once a run: five minutes, or one run's period
   * when runs are further apart, so a window between two runs is never empty.
   */
  public readonly reaperPeriod: Duration;
  /** All of the above. */
  public readonly all: cloudwatch.Alarm[];
  private readonly targets: BridgeAlarmTargets;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: BridgeAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    validateThresholds(t, props.reaperRate);
    // Alarm names as on-call reads them in a notification: stack, bridge, alarm.
    this.namePrefix = `${Stack.of(this).stackName}-${scope.node.id}-`;
    const b = props.bridge;
    this.targets = b;
    this.reaperPeriod =
      props.reaperRate.toSeconds() > FIVE_MINUTES.toSeconds() ? props.reaperRate : FIVE_MINUTES;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Gameye match bridge alarms',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one; without
    // this statement nothing lets CloudWatch publish the alarms to it.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.deadLetterQueueNotEmpty = this.alarm('DeadLetterQueueNotEmpty', {
      alarmDescription: 'Match messages are in the DLQ: permanent failures or retries exhausted.',
      metric: b.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.oldestMatchTooOld = this.alarm('OldestMatchTooOld', {
      alarmDescription: 'Match messages wait too long: placement is down, throttled or too slow.',
      metric: b.matchesQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: (t.oldestMatchAge ?? Duration.minutes(5)).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    const errors = t.functionErrors ?? 1;
    const throttles = t.functionThrottles ?? 1;
    this.placementErrors = this.functionAlarm('PlacementErrors', b.placementFunction.metricErrors(), errors);
    this.placementThrottles = this.functionAlarm(
      'PlacementThrottles',
      b.placementFunction.metricThrottles(),
      throttles,
    );
    this.reaperErrors = this.functionAlarm('ReaperErrors', b.reaperFunction.metricErrors(), errors);
    this.reaperThrottles = this.functionAlarm(
      'ReaperThrottles',
      b.reaperFunction.metricThrottles(),
      throttles,
    );

    this.placementFailureRate = this.alarm('PlacementFailureRate', {
      alarmDescription: 'Too many matches end in SessionFailed (percent of placements).',
      metric: new cloudwatch.MathExpression({
        label: 'Placement failure rate (%)',
        expression: `IF((failed + succeeded) >= ${t.placementMinimumCount ?? 5}, 100 * failed / (failed + succeeded), 0)`,
        usingMetrics: {
          failed: this.customMetric('placementFailed', cloudwatch.Stats.SUM),
          succeeded: this.customMetric('placementSucceeded', cloudwatch.Stats.SUM),
        },
        period: FIVE_MINUTES,
      }),
      threshold: t.placementFailureRatePercent ?? 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.placementLatencyP95Ms = t.placementLatencyP95Ms ?? 15_000;
    this.placementLatencyP95 = this.alarm('PlacementLatencyP95', {
      alarmDescription: 'p95 time from receiving a MatchFound to its server being ready is too high.',
      metric: this.customMetric('placementLatency', cloudwatch.Stats.percentile(95)),
      threshold: this.placementLatencyP95Ms,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    const reaperPeriod = props.reaperRate.toSeconds() < 60 ? Duration.minutes(1) : props.reaperRate;
    this.reaperNotRunning = this.alarm('ReaperNotRunning', {
      alarmDescription: 'The reaper has not run: idle and orphaned sessions are not being stopped.',
      metric: b.reaperFunction.metricInvocations({ period: reaperPeriod, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: t.reaperMissedPeriods ?? 3,
      // No datapoint at all is exactly the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.orphansFound = this.alarm('OrphansFound', {
      alarmDescription: 'The reaper stopped Gameye sessions that had no DynamoDB record.',
      metric: this.customMetric('orphansStopped', cloudwatch.Stats.SUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const minimum = t.gameyeMinimumRequests ?? 20;
    this.gameye5xx = this.alarm('Gameye5xx', {
      alarmDescription:
        'Gameye answers too many requests with server errors (5xx, percent of HTTP attempts).',
      metric: new cloudwatch.MathExpression({
        label: 'Gameye 5xx rate (%)',
        expression: `IF(requests >= ${minimum}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: this.customMetric('gameyeServerErrors', cloudwatch.Stats.SUM),
          requests: this.customMetric('gameyeRequests', cloudwatch.Stats.SUM),
        },
        period: FIVE_MINUTES,
      }),
      threshold: t.gameye5xxRatePercent ?? 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    this.corruptRecords = this.alarm('CorruptRecords', {
      alarmDescription:
        'The reaper skipped session records it could not read; those sessions are not managed.',
      metric: this.customMetric('corruptRecordsSkipped', cloudwatch.Stats.SUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.archiveBacklog = this.alarm('ArchiveBacklog', {
      alarmDescription:
        'Stopped sessions wait for their archives: Gameye keeps artifacts only until it removes the container.',
      metric: this.customMetric('archiveBacklogAge', cloudwatch.Stats.MAXIMUM, {}, this.reaperPeriod),
      threshold: (t.archiveBacklogAge ?? FIVE_MINUTES).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.reaperMemoryHigh = this.alarm('ReaperMemoryHigh', {
      alarmDescription:
        'The reaper came close to its memory size (the location with the most sessions is read whole): raise memorySize before runs fail.',
      metric: this.customMetric('reaperPeakMemory', cloudwatch.Stats.MAXIMUM, {}, this.reaperPeriod),
      threshold: Math.floor(((props.reaperMemorySize ?? 512) * (t.reaperMemoryPercent ?? 75)) / 100),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    const flexMatchDlq = b.flexMatchEvents?.deadLetterQueue;
    this.flexMatchEventsUndelivered = flexMatchDlq
      ? this.alarm('FlexMatchEventsUndelivered', {
          alarmDescription:
            'EventBridge could not deliver FlexMatch events to the matches queue: they wait in the FlexMatch rule DLQ, unplaced.',
          metric: flexMatchDlq.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        })
      : undefined;

    this.flexMatchLatenciesUnread = flexMatchDlq
      ? this.alarm('FlexMatchLatenciesUnread', {
          alarmDescription:
            'FlexMatch matches were placed by preference, not by latency: DescribeMatchmaking failed (kind in the metric; denied means the placement function lacks gamelift:DescribeMatchmaking).',
          metric: new cloudwatch.MathExpression({
            expression: MATCHMAKER_FAILURES.map((_, i) => `m${i}`).join(' + '),
            usingMetrics: Object.fromEntries(
              MATCHMAKER_FAILURES.map((kind, i) => [
                `m${i}`,
                this.customMetric('flexMatchLatenciesUnread', cloudwatch.Stats.SUM, { kind }),
              ]),
            ),
            period: FIVE_MINUTES,
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        })
      : undefined;

    this.all = [
      this.deadLetterQueueNotEmpty,
      this.oldestMatchTooOld,
      this.placementErrors,
      this.placementThrottles,
      this.reaperErrors,
      this.reaperThrottles,
      this.placementFailureRate,
      this.placementLatencyP95,
      this.reaperNotRunning,
      this.orphansFound,
      this.gameye5xx,
      this.corruptRecords,
      this.archiveBacklog,
      this.reaperMemoryHigh,
      ...(this.flexMatchEventsUndelivered ? [this.flexMatchEventsUndelivered] : []),
      ...(this.flexMatchLatenciesUnread ? [this.flexMatchLatenciesUnread] : []),
    ];
    const action = new SnsAction(this.topic);
    for (const alarm of this.all) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /**
   * One of the bridge's custom metrics, with the `service` dimension Powertools adds and the
   * extra dimensions given (which must be those `METRICS` lists for it).
   */
  public customMetric(
    key: MetricKey,
    statistic: string,
    extraDimensions: Record<string, string> = {},
    period: Duration = FIVE_MINUTES,
  ): cloudwatch.Metric {
    const def = METRICS[key];
    return new cloudwatch.Metric({
      namespace: this.targets.metricsNamespace,
      metricName: def.name,
      dimensionsMap: { [SERVICE_DIMENSION]: this.targets.serviceName, ...extraDimensions },
      statistic,
      period,
    });
  }

  /**
   * An alarm named for on-call (stack, bridge, alarm), judged on one period and quiet without
   * data, as most of the bridge's are; `props` may say otherwise.
   */
  private alarm(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'evaluationPeriods'> &
      Partial<Pick<cloudwatch.AlarmProps, 'evaluationPeriods'>>,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmName: `${this.namePrefix}${id}`,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
  }

  private functionAlarm(id: string, metric: cloudwatch.Metric, threshold: number): cloudwatch.Alarm {
    return this.alarm(id, {
      alarmDescription: `${id.replace(/([a-z])([A-Z])/g, '$1 $2')} of the Gameye match bridge.`,
      metric: metric.with({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}

/**
 * Thresholds CloudWatch would reject at deploy time, or that could never fire, rejected at
 * synth with the prop's name. CloudWatch evaluates at most a day of periods shorter than an
 * hour, and at most 7 days of longer ones.
 */
function validateThresholds(t: BridgeAlarmThresholds, reaperRate: Duration): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`alarmThresholds.${field}: ${why}`);
  };
  const positive = (field: keyof BridgeAlarmThresholds, value: number | undefined): void => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      fail(field, `expected > 0, got ${value}`);
  };
  const percent = (field: keyof BridgeAlarmThresholds, value: number | undefined): void => {
    positive(field, value);
    if (value !== undefined && value >= 100) fail(field, `expected a percentage under 100, got ${value}`);
  };
  positive('functionErrors', t.functionErrors);
  positive('functionThrottles', t.functionThrottles);
  positive('placementLatencyP95Ms', t.placementLatencyP95Ms);
  positive('gameyeMinimumRequests', t.gameyeMinimumRequests);
  positive('placementMinimumCount', t.placementMinimumCount);
  percent('placementFailureRatePercent', t.placementFailureRatePercent);
  percent('gameye5xxRatePercent', t.gameye5xxRatePercent);
  percent('reaperMemoryPercent', t.reaperMemoryPercent);
  if (t.archiveBacklogAge !== undefined && t.archiveBacklogAge.toSeconds() < 60) {
    fail('archiveBacklogAge', 'expected at least 1 minute (the reaper reports it once a run)');
  }
  if (t.oldestMatchAge !== undefined && t.oldestMatchAge.toSeconds() < 60) {
    fail('oldestMatchAge', 'expected at least 1 minute (SQS reports the age once a minute)');
  }
  const missed = t.reaperMissedPeriods;
  if (missed !== undefined && !(Number.isInteger(missed) && missed >= 1)) {
    fail('reaperMissedPeriods', `expected a whole number of periods >= 1, got ${missed}`);
  }
  const periodSeconds = Math.max(60, reaperRate.toSeconds());
  const windowSeconds = periodSeconds * (missed ?? 3);
  const limit = periodSeconds < 3600 ? 24 * 3600 : 7 * 24 * 3600;
  if (windowSeconds > limit) {
    fail(
      'reaperMissedPeriods',
      `${missed ?? 3} periods of ${periodSeconds} s is longer than CloudWatch evaluates (${limit / 3600} h); lower it or the reaperRate`,
    );
  }
}
