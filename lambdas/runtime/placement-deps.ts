/**
 * Composition root of the placement function: the one place that turns the environment into
 * real clients and adapters. Local mode and tests call `placementDeps` with their own values.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GameLiftClientConfig } from '@aws-sdk/client-gamelift';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoSessionStore } from '../adapters/dynamo-session-store.ts';
import { gameLiftTickets } from '../adapters/gamelift-tickets.ts';
import { GameyePortAdapter, PLACEMENT_RETRIES, placementRetryIf } from '../adapters/gameye-port.ts';
import { SnsEventPublisher } from '../adapters/sns-publisher.ts';
import { SqsDeadLetterQueue } from '../adapters/sqs-dead-letter.ts';
import { SqsRedelivery } from '../adapters/sqs-redelivery.ts';
import { UnusableGameye } from '../adapters/unusable-gameye.ts';
import { createPlacementState } from '../core/placement/placement-state.ts';
import { type Clock, systemClock } from '../core/ports.ts';
import { countGameyeAttempts } from '../handlers/gameye-telemetry.ts';
import type { PlacementHandlerDeps } from '../handlers/placement-handler.ts';
import { BRIDGE_RESOURCES } from '../shared/resources.ts';
import type { RuntimeEnv } from './env.ts';
import { GameyeTokenMissingError, gameyeClients } from './gameye-token.ts';

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? 'gameye-bridge-placement';
const NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'GameyeBridge';

export interface PlacementClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export interface PlacementDepsOptions {
  readonly env: RuntimeEnv;
  /** Defaults: SDK clients from the standard AWS environment (AWS_ENDPOINT_URL_* included). */
  readonly clients?: PlacementClients;
  /**
   * Settings of the GameLift client FlexMatch's ticket lookup uses (region, credentials,
   * endpoint), when `sources.flexMatch` is configured. Default: the standard AWS environment,
   * `AWS_ENDPOINT_URL_GAMELIFT` included.
   */
  readonly gameLift?: GameLiftClientConfig;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly clock?: Clock;
}

export function defaultPlacementClients(): PlacementClients {
  return { dynamodb: new DynamoDBClient({}), sns: new SNSClient({}), sqs: new SQSClient({}) };
}

export function placementDeps(options: PlacementDepsOptions): PlacementHandlerDeps {
  const { env } = options;
  const clients = options.clients ?? defaultPlacementClients();
  const clock = options.clock ?? systemClock;
  if (!env.deadLetterQueueUrl) throw new Error('the placement function needs DEAD_LETTER_QUEUE_URL');
  const metrics = options.metrics ?? new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });
  const gameyeClient = gameyeClients(env.token, {
    baseUrl: env.gameyeBaseUrl,
    retries: PLACEMENT_RETRIES,
    retryIf: placementRetryIf,
    onRequest: countGameyeAttempts(metrics),
  });
  return {
    config: env.config,
    maxReceiveCount: env.maxReceiveCount ?? BRIDGE_RESOURCES.matchesQueue.maxReceiveCount,
    store: new DynamoSessionStore({ client: clients.dynamodb, tableName: env.tableName }),
    publisher: new SnsEventPublisher({ client: clients.sns, topicArn: env.topicArn }),
    deadLetters: new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: env.deadLetterQueueUrl }),
    redelivery: env.matchesQueueUrl
      ? new SqsRedelivery({ client: clients.sqs, queueUrl: env.matchesQueueUrl })
      : undefined,
    gameyeFor: async (timeoutMs, onError) => {
      let client: Awaited<ReturnType<typeof gameyeClient>>;
      try {
        client = await gameyeClient();
      } catch (error) {
        // Every match then fails like a refused token (or an outage) and is settled with that
        // reason on its last delivery, instead of the whole invocation failing without one.
        const message = `the Gameye client could not be built: ${(error as Error).message}`;
        return new UnusableGameye(
          error instanceof GameyeTokenMissingError ? 'unauthorized' : 'unavailable',
          message,
          error,
        );
      }
      return new GameyePortAdapter({
        client,
        timeoutMs,
        onError,
        startAttempts: { timeoutMs: env.config.start.attemptTimeoutMs, attempts: env.config.start.attempts },
      });
    },
    // Imported statically and created only when FlexMatch is configured. Loading it on first use
    // instead costs every deployment more at cold start, not less: esbuild must then wrap every
    // SDK module the client shares with DynamoDB and SNS in a lazy initialiser
    // (`node bench/bundle-size.bench.ts` compares both).
    tickets: env.config.sources.flexMatch === undefined ? undefined : gameLiftTickets(options.gameLift),
    state: createPlacementState(env.config, clock),
    clock,
    // Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (set by the stack);
    // these defaults apply only where they are absent (local mode).
    logger: options.logger ?? new Logger({ serviceName: SERVICE }),
    metrics,
  };
}
