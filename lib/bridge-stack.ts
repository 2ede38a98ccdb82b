/**
 * This project's deployment: one `GameyeMatchBridge`, its runtime config read from a JSON
 * file and validated at synth, and the outputs an operator or the CLI needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { BridgeConfigInput } from '../lambdas/core/config.ts';
import { GameyeMatchBridge, type GameyeMatchBridgeProps } from './bridge-construct.ts';

export interface BridgeStackProps extends StackProps {
  /**
   * Path of the runtime config file (JSON), relative to the working directory.
   * @default 'config/bridge.config.json'
   */
  readonly configPath?: string;
  /**
   * Everything else the construct takes; `bridgeConfig` comes from `configPath`.
   * @default - the construct's defaults
   */
  readonly bridge?: Omit<GameyeMatchBridgeProps, 'bridgeConfig'>;
}

export const DEFAULT_CONFIG_PATH = 'config/bridge.config.json';

export class BridgeStack extends Stack {
  public readonly bridge: GameyeMatchBridge;

  constructor(scope: Construct, id: string, props: BridgeStackProps = {}) {
    super(scope, id, props);
    const configPath = props.configPath ?? DEFAULT_CONFIG_PATH;
    const bridgeConfig = readConfigFile(configPath);
    try {
      this.bridge = new GameyeMatchBridge(this, 'Bridge', { ...props.bridge, bridgeConfig });
    } catch (err) {
      if (err instanceof Error && err.name === 'ConfigError') {
        throw new Error(`${configPath}: ${err.message}`, { cause: err });
      }
      throw err;
    }

    const b = this.bridge;
    const outputs: Record<string, { value: string; description: string }> = {
      MatchesQueueUrl: { value: b.matchesQueue.queueUrl, description: 'Send MatchFound messages here' },
      MatchesQueueArn: { value: b.matchesQueue.queueArn, description: 'For the matchmaker send policy' },
      DeadLetterQueueUrl: { value: b.deadLetterQueue.queueUrl, description: 'Failed match messages' },
      DeadLetterQueueArn: {
        value: b.deadLetterQueue.queueArn,
        description: 'Source of a redrive (aws sqs start-message-move-task --source-arn)',
      },
      SessionsTableName: { value: b.sessionsTable.tableName, description: 'One item per match' },
      SessionEventsTopicArn: {
        value: b.sessionEventsTopic.topicArn,
        description: 'Subscribe the game backend here (filter on attribute type)',
      },
      ArchiveBucketName: { value: b.archiveBucket.bucketName, description: 'Session artifacts' },
      GameyeBaseUrl: { value: b.gameyeBaseUrl, description: 'The Gameye API the functions call' },
      GameyeTokenSecretArn: {
        value: b.gameyeTokenSecret.secretArn,
        description: 'Put the Gameye token here (aws secretsmanager put-secret-value)',
      },
      AlarmTopicArn: { value: b.alarms.topic.topicArn, description: 'Subscribe on-call here' },
      PlacementFunctionName: { value: b.placementFunction.functionName, description: 'Placement Lambda' },
      ReaperFunctionName: { value: b.reaperFunction.functionName, description: 'Reaper Lambda' },
      PlacementLogGroupName: { value: b.placementLogGroup.logGroupName, description: 'Placement logs' },
      ReaperLogGroupName: { value: b.reaperLogGroup.logGroupName, description: 'Reaper logs' },
      ReaperScheduleName: {
        value: b.reaperSchedule.scheduleName,
        description: 'EventBridge Scheduler schedule that runs the reaper',
      },
      EncryptionKeyArn: {
        value: b.encryptionKey.keyArn,
        description: 'KMS key of the topics (and of the queues with queueEncryption kms)',
      },
    };
    if (b.flexMatchEvents) {
      outputs.FlexMatchRuleArn = {
        value: b.flexMatchEvents.rule.ruleArn,
        description: 'EventBridge rule sending FlexMatch MatchmakingSucceeded events to the matches queue',
      };
      outputs.FlexMatchDeadLetterQueueUrl = {
        value: b.flexMatchEvents.deadLetterQueue.queueUrl,
        description: 'FlexMatch events EventBridge could not deliver to the matches queue',
      };
    }
    if (b.dashboard) {
      outputs.DashboardUrl = { value: b.dashboard.url, description: 'CloudWatch dashboard' };
    }
    for (const [name, { value, description }] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }
}

/** Read the config file as JSON; the construct validates its content. */
function readConfigFile(configPath: string): BridgeConfigInput {
  let text: string;
  try {
    text = readFileSync(path.resolve(configPath), 'utf8');
  } catch (err) {
    throw new Error(`bridge config: cannot read ${configPath} (set it with -c config=path)`, { cause: err });
  }
  try {
    // The construct runs it through parseBridgeConfig before anything uses it.
    return JSON.parse(text) as BridgeConfigInput;
  } catch (err) {
    throw new Error(`${configPath}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
