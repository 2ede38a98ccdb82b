/**
 * The whole bridge on one machine: local AWS (dynalite, fauxqs), the Gameye emulator, the
 * placement handler driven by a local SQS event source. Integration tests, `npm start` and
 * benchmarks build on this, so they all exercise the same wiring the Lambda uses
 * (`placementDeps` → `makePlacementHandler`), only with local endpoints.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RequestCounter } from '../../lambdas/adapters/request-counter.ts';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import type { EventPublisher, SessionStore } from '../../lambdas/core/ports.ts';
import type { PlacementHandler, PlacementHandlerDeps } from '../../lambdas/handlers/placement-handler.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import type { RuntimeEnv } from '../../lambdas/runtime/env.ts';
import { placementDeps } from '../../lambdas/runtime/placement-deps.ts';
import {
  type EmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../test/support/gameye-emulator/index.ts';
import { BRIDGE_RESOURCES, PLACEMENT_TIMEOUT_SECONDS } from '../resource-definitions.ts';
import { type LocalAws, type LocalResources, provisionLocalResources, startLocalAws } from './local-aws.ts';
import { SqsEventSource } from './sqs-event-source.ts';

export const LOCAL_CONFIG_PATH = new URL('../../config/local.config.json', import.meta.url);

export interface LocalBridgeOptions {
  /** The bridge config (validated); default `config/local.config.json`. */
  readonly bridgeConfig?: unknown;
  readonly emulatorConfig?: EmulatorConfigInput;
  readonly emulatorPort?: number;
  /** Concurrent pollers of the matches queue, like concurrent Lambda instances. @default 2 */
  readonly concurrency?: number;
  /** What `getRemainingTimeInMillis` counts down from. @default the deployed timeout */
  readonly functionTimeoutMs?: number;
  /** Seconds before a failed record is retried. @default 1 */
  readonly retryDelaySeconds?: number;
  /** Powertools log level of the handler. @default 'SILENT' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Wrap the real adapters, e.g. to inject a crash between two steps in a test. */
  readonly wrapStore?: (store: SessionStore) => SessionStore;
  readonly wrapPublisher?: (publisher: EventPublisher) => EventPublisher;
  readonly dynamoPath?: string;
}

export interface LocalBridge {
  readonly aws: LocalAws;
  readonly resources: LocalResources;
  readonly emulator: RunningEmulator;
  readonly env: RuntimeEnv;
  /** DynamoDB and SNS requests made by the bridge (not by the test's own reads). */
  readonly requests: RequestCounter;
  readonly deps: PlacementHandlerDeps;
  readonly handler: PlacementHandler;
  readonly eventSource: SqsEventSource;
  close(): Promise<void>;
}

export async function startLocalBridge(options: LocalBridgeOptions = {}): Promise<LocalBridge> {
  const aws = await startLocalAws(options.dynamoPath ? { dynamoPath: options.dynamoPath } : {});
  const resources = await provisionLocalResources(aws.clients);
  const emulator = await startEmulator({
    ...(options.emulatorConfig ? { config: options.emulatorConfig } : {}),
    ...(options.emulatorPort === undefined ? {} : { port: options.emulatorPort }),
  });

  // The bridge gets its own SDK clients so the counter sees only its requests.
  const { localClients } = await import('./local-aws.ts');
  const clients = localClients(aws.endpoints);
  const requests = new RequestCounter()
    .attach(clients.dynamodb, 'dynamodb')
    .attach(clients.sns, 'sns')
    .attach(clients.sqs, 'sqs');

  const config = options.bridgeConfig ?? (JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as unknown);
  const env: RuntimeEnv = {
    tableName: resources.tableName,
    topicArn: resources.topicArn,
    deadLetterQueueUrl: resources.deadLetterQueueUrl,
    archiveBucketName: resources.bucket,
    gameyeBaseUrl: emulator.url,
    token: { token: emulator.token },
    config: parseBridgeConfig(config),
  };
  const base = placementDeps({
    env,
    clients,
    logger: new Logger({ serviceName: 'gameye-bridge-placement', logLevel: options.logLevel ?? 'SILENT' }),
    metrics: silentMetrics(),
  });
  const deps: PlacementHandlerDeps = {
    ...base,
    store: options.wrapStore ? options.wrapStore(base.store) : base.store,
    publisher: options.wrapPublisher ? options.wrapPublisher(base.publisher) : base.publisher,
  };
  const handler = makePlacementHandler(deps);
  const eventSource = new SqsEventSource({
    sqs: clients.sqs,
    queueUrl: resources.matchesQueueUrl,
    handler,
    batchSize: BRIDGE_RESOURCES.matchesQueue.batchSize,
    functionTimeoutMs: options.functionTimeoutMs ?? PLACEMENT_TIMEOUT_SECONDS * 1000,
    concurrency: options.concurrency ?? 2,
    retryDelaySeconds: options.retryDelaySeconds ?? 1,
  });

  return {
    aws,
    resources,
    emulator,
    env,
    requests,
    deps,
    handler,
    eventSource,
    async close() {
      await eventSource.stop();
      for (const c of Object.values(clients)) c.destroy();
      await emulator.close();
      await aws.close();
    },
  };
}

/**
 * Metrics that are recorded but never printed: locally there is no CloudWatch agent to read
 * EMF lines, and they would drown the output. Set for the process because Powertools reads
 * the switch again for every `singleMetric()`.
 */
export function silentMetrics(): Metrics {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return new Metrics({ namespace: 'GameyeBridge', serviceName: 'gameye-bridge-placement' });
}
