/**
 * FlexMatch (standalone) into the bridge: an EventBridge rule on the default bus that sends
 * the `MatchmakingSucceeded` events of the named matchmaking configurations, as they are, to
 * the matches queue, where the placement function translates them. Only that event type
 * matches: FlexMatch's other events (searching, potential match, acceptance, timeouts,
 * cancellations, failures) ask nothing of the bridge, so they are never sent.
 *
 * The rule has a dead-letter queue of its own: an event EventBridge could not deliver (the
 * queue's policy or key refused it, or retries ran out) is kept there instead of dropped. The
 * queues accept EventBridge's messages from this rule only (`aws:SourceArn`), and with KMS
 * queues the key lets EventBridge use it for this rule's deliveries only.
 */
import { Annotations, Duration, Names, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  FLEXMATCH_DETAIL_TYPE,
  FLEXMATCH_SOURCE,
  MATCHMAKING_SUCCEEDED,
} from '../lambdas/core/formats/flexmatch.ts';
import { BRIDGE_RESOURCES } from '../lambdas/shared/resources.ts';
import type { FlexMatchProps } from './bridge-props.ts';

/**
 * How long EventBridge keeps trying to deliver an event to the queue (its own defaults, stated
 * here so the template says them): 185 attempts over at most 24 hours, then the rule's DLQ.
 */
const DELIVERY_RETRIES = 185;
const DELIVERY_MAX_AGE = Duration.hours(24);

export interface FlexMatchEventsProps {
  readonly flexMatch: FlexMatchProps;
  /** Where the events go: the bridge's matches queue. */
  readonly matchesQueue: sqs.Queue;
  /** The queues' key when they are KMS-encrypted (`queueEncryption: 'kms'`). */
  readonly queueKey: kms.IKey | undefined;
  readonly removalPolicy: RemovalPolicy;
}

/** The rule, its target and its dead-letter queue. */
export class FlexMatchEvents extends Construct {
  public readonly rule: events.Rule;
  /** Events EventBridge could not deliver to the matches queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The ARNs of the configurations whose events the rule matches. */
  public readonly configurationArns: string[];

  constructor(scope: Construct, id: string, props: FlexMatchEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // GameLift emits a configuration's events in its own region and account, on the default
    // bus: the rule sees the configurations of the stack's region and account.
    this.configurationArns = Object.keys(props.flexMatch.configurations).map((name) =>
      stack.formatArn({ service: 'gamelift', resource: 'matchmakingconfiguration', resourceName: name }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...(props.queueKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.queueKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      retentionPeriod: Duration.seconds(BRIDGE_RESOURCES.deadLetterQueue.retentionSeconds),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the FlexMatch rule target; nothing consumes it.',
    });

    // A name of our own, so the rule's ARN can be written without referring to the rule: the
    // key's policy names it, the queue depends on the key and the rule on the queue, and a
    // reference back would be a circular dependency.
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.rule = new events.Rule(this, 'Rule', {
      ruleName,
      description: 'Gameye match bridge: FlexMatch MatchmakingSucceeded events to the matches queue',
      eventPattern: {
        source: [FLEXMATCH_SOURCE],
        detailType: [FLEXMATCH_DETAIL_TYPE],
        resources: this.configurationArns,
        detail: { type: [MATCHMAKING_SUCCEEDED] },
      },
    });
    // A target of its own rather than aws-events-targets' SqsQueue: that one lets EventBridge
    // send from any rule of the account when the queue has a KMS key, and grants GetQueueUrl
    // and GetQueueAttributes too. EventBridge needs SendMessage, from this rule.
    this.rule.addTarget({
      bind: () => ({
        arn: props.matchesQueue.queueArn,
        targetResource: props.matchesQueue,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: DELIVERY_RETRIES,
          maximumEventAgeInSeconds: DELIVERY_MAX_AGE.toSeconds(),
        },
      }),
    });

    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    const ruleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': ruleArn } };
    for (const [sid, queue] of [
      ['FlexMatchRuleSends', props.matchesQueue],
      ['FlexMatchRuleDeadLetters', this.deadLetterQueue],
    ] as const) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [eventBridge],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: fromThisRule,
        }),
      );
    }

    if (props.queueKey) {
      // SQS encrypts what EventBridge sends with the queue's key, on EventBridge's behalf: the
      // key must let EventBridge make data keys, for this rule's deliveries. (The queues' ARNs
      // cannot narrow it further: the queues depend on the key, so its policy cannot name them.)
      const added = props.queueKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'FlexMatchRuleEncrypts',
          principals: [eventBridge],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: fromThisRule,
        }),
      );
      if (!added.statementAdded) {
        Annotations.of(this).addWarningV2(
          'gameye-match-bridge:flexMatchKeyPolicy',
          'The queues use an imported KMS key whose policy this app cannot change: let events.amazonaws.com use it (kms:GenerateDataKey, kms:Decrypt) for the FlexMatch rule, or FlexMatch events end in its dead-letter queue.',
        );
      }
    }
  }
}
