/**
 * The placement bundle, built as the construct builds it, placing a FlexMatch match in a cold
 * process: the GameLift client bundled with it, pointed by the SDK's own
 * `AWS_ENDPOINT_URL_GAMELIFT` at a loopback server speaking GameLift's JSON 1.1, the latencies
 * read with one `DescribeMatchmaking` and the match placed where they say.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store.ts';
import { FUNCTION_ENV } from '../../lambdas/shared/resources.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../../lib/bundle-options.ts';
import { bundleFunction } from '../../tools/bundle/function-bundle.ts';
import { type ChildServices, startChildServices } from '../../tools/local/child-services.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClients } from '../../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { toRecord } from '../../tools/local/sqs-event-source.ts';
import { type RawServer, sendJson, startRawServer } from '../gameye-client/raw-server.ts';

const run = promisify(execFile);
const MATCH_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

let services: ChildServices;
let gamelift: RawServer;
let outDir: string;
let bundle: string;
let env: Record<string, string>;

beforeAll(async () => {
  services = await startChildServices();
  // Every player is closest to virginia (us-east-1 in the local config): the lookup, not the preference, decides.
  gamelift = await startRawServer((_req, res, body) => {
    const { TicketIds } = JSON.parse(body) as { TicketIds: string[] };
    sendJson(
      res,
      200,
      {
        TicketList: TicketIds.map((TicketId) => ({
          TicketId,
          Players: [
            { PlayerId: `${TicketId}-player`, LatencyInMs: { virginia: 15, dublin: 120, frankfurt: 130 } },
          ],
        })),
      },
      { 'content-type': 'application/x-amz-json-1.1' },
    );
  });
  outDir = mkdtempSync(path.join(tmpdir(), 'flexmatch-bundle-'));
  bundle = path.join(outDir, 'placement', 'index.mjs');
  await bundleFunction(FUNCTION_ENTRIES.placement, bundle);
  const { endpoints, resources, gameye } = services;
  const config = {
    ...(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as Record<string, unknown>),
    sources: { flexMatch: { configurations: { 'arena-config': { profile: 'arena-casual' } } } },
  };
  env = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: BUNDLE_OPTIONS.nodeOptions,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.messaging,
    AWS_ENDPOINT_URL_SNS: endpoints.messaging,
    AWS_ENDPOINT_URL_GAMELIFT: gamelift.url,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    [FUNCTION_ENV.tableName]: resources.tableName,
    [FUNCTION_ENV.topicArn]: resources.topicArn,
    [FUNCTION_ENV.deadLetterQueueUrl]: resources.deadLetterQueueUrl.replace(
      /^http:\/\/[^/]+/,
      endpoints.messaging,
    ),
    [FUNCTION_ENV.gameyeBaseUrl]: gameye.url,
    GAMEYE_TOKEN: gameye.token,
    [FUNCTION_ENV.bridgeConfig]: JSON.stringify(config),
  };
}, 60_000);

afterAll(async () => {
  await gamelift?.close();
  await services?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the placement bundle with a FlexMatch source', () => {
  it('places a FlexMatch match in a cold process, its latencies read from GameLift in one call', async () => {
    const event = {
      version: '0',
      id: 'evt-1',
      'detail-type': 'GameLift Matchmaking Event',
      source: 'aws.gamelift',
      resources: ['arn:aws:gamelift:us-east-1:123456789012:matchmakingconfiguration/arena-config'],
      detail: {
        type: 'MatchmakingSucceeded',
        matchId: MATCH_ID,
        tickets: [
          { ticketId: 't-1', players: [{ playerId: 't-1-player', team: 'red' }] },
          { ticketId: 't-2', players: [{ playerId: 't-2-player', team: 'blue' }] },
        ],
      },
    };
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const context = { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 30_000 };
      process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT), context)));`;
    const sqsEvent = {
      Records: [toRecord({ MessageId: 'm-1', ReceiptHandle: 'r', Body: JSON.stringify(event) }, 'local')],
    };

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...env, EVENT: JSON.stringify(sqsEvent) },
      timeout: 60_000,
    });

    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
    expect(gamelift.requests).toHaveLength(1);
    expect(gamelift.requests[0]?.headers['x-amz-target']).toBe('GameLift.DescribeMatchmaking');
    expect(JSON.parse(gamelift.requests[0]?.body ?? '')).toEqual({ TicketIds: ['t-1', 't-2'] });
    const store = new DynamoSessionStore({
      client: localClients(services.endpoints).dynamodb,
      tableName: services.resources.tableName,
    });
    expect(await store.get(MATCH_ID)).toMatchObject({
      state: 'READY',
      region: 'us-east-1',
      tickets: [
        { ticketId: 't-1', playerIds: ['t-1-player'] },
        { ticketId: 't-2', playerIds: ['t-2-player'] },
      ],
    });
  }, 90_000);
});
