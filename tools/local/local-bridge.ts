/**
 * The whole bridge on one machine: local AWS (dynalite, fauxqs), the Gameye emulator, the
 * GameLift stand-in (FlexMatch's ticket latencies), the placement handler driven by a local
 * SQS event source. Integration tests, `npm start` and
 * benchmarks build on this, so they all exercise the same wiring the Lambda uses
 * (`placementDeps` → `makePlacementHandler`), only with local endpoints.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { RequestCounter } from '../../lambdas/adapters/request-counter.ts';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import type { Clock, EventPublisher, SessionStore } from '../../lambdas/core/ports.ts';
import type { ReaperRunResult } from '../../lambdas/core/reaper/run-reaper.ts';
import type { PlacementHandler, PlacementHandlerDeps } from '../../lambdas/handlers/placement-handler.ts';
import { makePlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import { makeReaperHandler, type ReaperHandlerDeps } from '../../lambdas/handlers/reaper-handler.ts';
import type { RuntimeEnv } from '../../lambdas/runtime/env.ts';
import { placementDeps } from '../../lambdas/runtime/placement-deps.ts';
import { reaperDeps } from '../../lambdas/runtime/reaper-deps.ts';
import { BRIDGE_RESOURCES, PLACEMENT_TIMEOUT_SECONDS } from '../../lambdas/shared/resources.ts';
import { type RunningGameLiftStandIn, startGameLiftStandIn } from '../gamelift-standin/index.ts';
import { type EmulatorConfigInput, type RunningEmulator, startEmulator } from '../gameye-emulator/index.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAws,
  type LocalResources,
  provisionLocalResources,
  startLocalAws,
} from './local-aws.ts';
import { silentMetrics } from './silent-metrics.ts';
import { SqsEventSource } from './sqs-event-source.ts';

export const LOCAL_CONFIG_PATH = new URL('../../config/local.config.json', import.meta.url);

export interface LocalBridgeOptions {
  /** The bridge config (validated); default `config/local.config.json`. */
  readonly bridgeConfig?: unknown;
  readonly emulatorConfig?: EmulatorConfigInput;
  readonly emulatorPort?: number;
  /** How long the GameLift stand-in takes to answer `DescribeMatchmaking`, in ms. @default 0 */
  readonly gameLiftLatencyMs?: number;
  /** Concurrent pollers of the matches queue, like concurrent Lambda instances. @default the deployed maximum (10) */
  readonly concurrency?: number;
  /** What `getRemainingTimeInMillis` counts down from. @default the deployed timeout */
  readonly functionTimeoutMs?: number;
  /** Powertools log level of the handler. @default 'SILENT' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Wrap the real adapters, e.g. to inject a crash between two steps in a test. */
  readonly wrapStore?: (store: SessionStore) => SessionStore;
  readonly wrapPublisher?: (publisher: EventPublisher) => EventPublisher;
  /** Keep the local services' state here across restarts (see `startLocalAws`). */
  readonly dataDir?: string;
  /**
   * The bridge's clock (placement and reaper). Tests pass one that follows the emulator's
   * virtual clock (`emulatorClock`), so advancing it ages records and sessions alike.
   */
  readonly clock?: Clock;
}

/** Options of one local reaper run. */
export interface ReaperRunOptions {
  /** What `getRemainingTimeInMillis` starts from. @default the reaper's deployed timeout (60 s) */
  readonly budgetMs?: number;
  /**
   * The run's `getRemainingTimeInMillis`, in place of the wall-clock countdown from `budgetMs`:
   * tests drive it (tied to what the run has done, or no limit) so the machine's speed decides nothing.
   */
  readonly remainingTimeMs?: () => number;
  /** Time kept back (no step starts with less left). @default 20000, or a third of `budgetMs` when that is less */
  readonly reserveMs?: number;
  readonly concurrency?: number;
}

/** The reaper, wired exactly as the Lambda is (`reaperDeps` → `makeReaperHandler`). */
export interface LocalReaper {
  readonly deps: ReaperHandlerDeps;
  /** DynamoDB, SNS and S3 requests made by the reaper alone. */
  readonly requests: RequestCounter;
  runOnce(options?: ReaperRunOptions): Promise<ReaperRunResult>;
}

export interface LocalBridge {
  readonly aws: LocalAws;
  readonly resources: LocalResources;
  readonly emulator: RunningEmulator;
  /** Answers the placement function's `DescribeMatchmaking` for FlexMatch matches. */
  readonly gamelift: RunningGameLiftStandIn;
  readonly env: RuntimeEnv;
  /** DynamoDB and SNS requests made by the bridge (not by the test's own reads). */
  readonly requests: RequestCounter;
  readonly deps: PlacementHandlerDeps;
  readonly handler: PlacementHandler;
  readonly eventSource: SqsEventSource;
  readonly reaper: LocalReaper;
  /** One reaper run (see {@link LocalReaper.runOnce}). */
  runReaperOnce(options?: ReaperRunOptions): Promise<ReaperRunResult>;
  close(): Promise<void>;
}

/** A Clock that reads the emulator's virtual clock: `admin.advanceClock` moves both. */
export function emulatorClock(emulator: RunningEmulator): Clock {
  return { now: () => emulator.admin.now() };
}

/** The reaper's deployed timeout (bridge-construct's default `reaperRate` is 1 minute). */
const REAPER_TIMEOUT_MS = 60_000;

export async function startLocalBridge(options: LocalBridgeOptions = {}): Promise<LocalBridge> {
  const aws = await startLocalAws(options.dataDir ? { dataDir: options.dataDir } : {});
  const resources = await provisionLocalResources(aws.clients);
  const emulator = await startEmulator({
    ...(options.emulatorConfig ? { config: options.emulatorConfig } : {}),
    ...(options.emulatorPort === undefined ? {} : { port: options.emulatorPort }),
  });
  const gamelift = await startGameLiftStandIn({ latencyMs: options.gameLiftLatencyMs ?? 0 });

  // The bridge gets its own SDK clients so the counter sees only its requests.
  const { localClients } = await import('./local-aws.ts');
  const clients = localClients(aws.endpoints);
  const requests = new RequestCounter()
    .attach(clients.dynamodb, 'dynamodb')
    .attach(clients.sns, 'sns')
    .attach(clients.sqs, 'sqs');

  const config = options.bridgeConfig ?? (JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as unknown);
  const env = localRuntimeEnv(resources, emulator, config);
  const clock = options.clock;
  const logLevel = options.logLevel ?? 'SILENT';
  // The reaper gets clients of its own, so its request counts are its alone.
  const reaperClients = {
    ...localClients(aws.endpoints),
    s3: new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: aws.endpoints.messaging,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    }),
  };
  const reaperRequests = new RequestCounter()
    .attach(reaperClients.dynamodb, 'dynamodb')
    .attach(reaperClients.sns, 'sns')
    .attach(reaperClients.s3, 's3');
  const reaperHandlerDeps = reaperDeps({
    env,
    clients: reaperClients,
    logger: new Logger({ serviceName: 'gameye-bridge-reaper', logLevel }),
    metrics: silentMetrics(),
    ...(clock ? { clock } : {}),
  });
  const base = placementDeps({
    env,
    clients,
    // What AWS_ENDPOINT_URL_GAMELIFT does for a deployed function's GameLift client, without
    // changing this process's environment (tests run several local bridges side by side).
    gameLift: { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: gamelift.url },
    ...(clock ? { clock } : {}),
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
    concurrency: options.concurrency ?? BRIDGE_RESOURCES.matchesQueue.maxConcurrency,
  });

  const reaper: LocalReaper = {
    deps: reaperHandlerDeps,
    requests: reaperRequests,
    runOnce(run = {}) {
      const budget = run.budgetMs ?? REAPER_TIMEOUT_MS;
      const handler = makeReaperHandler(reaperHandlerDeps, {
        reserveMs: run.reserveMs ?? Math.min(20_000, Math.floor(budget / 3)),
        ...(run.concurrency === undefined ? {} : { concurrency: run.concurrency }),
      });
      const deadline = Date.now() + budget;
      return handler({}, { getRemainingTimeInMillis: run.remainingTimeMs ?? (() => deadline - Date.now()) });
    },
  };

  return {
    aws,
    resources,
    emulator,
    gamelift,
    env,
    requests,
    deps,
    handler,
    eventSource,
    reaper,
    runReaperOnce: (run) => reaper.runOnce(run),
    async close() {
      await eventSource.stop();
      for (const c of Object.values(clients)) c.destroy();
      for (const c of Object.values(reaperClients)) c.destroy();
      await emulator.close();
      await gamelift.close();
      await aws.close();
    },
  };
}

/**
 * The functions' environment for the local services: what the stack's env variables give a
 * deployed function, with the emulator's throwaway token in place of the secret. `config`
 * defaults to `config/local.config.json`.
 */
export function localRuntimeEnv(
  resources: LocalResources,
  gameye: { readonly url: string; readonly token: string },
  config: unknown = JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')),
): RuntimeEnv {
  return {
    tableName: resources.tableName,
    topicArn: resources.topicArn,
    deadLetterQueueUrl: resources.deadLetterQueueUrl,
    matchesQueueUrl: resources.matchesQueueUrl,
    archiveBucketName: resources.bucket,
    gameyeBaseUrl: gameye.url,
    token: { token: gameye.token },
    config: parseBridgeConfig(config),
  };
}
