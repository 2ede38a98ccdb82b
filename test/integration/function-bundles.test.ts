/**
 * The two Lambda bundles, built as the construct builds them (BUNDLE_OPTIONS), loaded the way
 * Lambda loads them (the environment the stack sets, read at import) and run against the local
 * services: a MatchFound placed, its MatchEnded stopped and archived, a reaper run. What the
 * other tests cannot see: undici loaded from its own files, node:http through its alias, and
 * each entry point's composition of real clients from the environment.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store.ts';
import type { PlacementHandler } from '../../lambdas/handlers/placement-handler.ts';
import type { ReaperHandler } from '../../lambdas/handlers/reaper-handler.ts';
import { bundleFunction } from '../../lib/function-bundle.ts';
import { type ChildServices, startChildServices } from '../../lib/local/child-services.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClients } from '../../lib/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../../lib/local/local-bridge.ts';
import { fakeContext, toRecord } from '../../lib/local/sqs-event-source.ts';
import { FUNCTION_ENTRIES, FUNCTION_ENV } from '../../lib/resource-definitions.ts';

let services: ChildServices;
let outDir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  services = await startChildServices();
  outDir = mkdtempSync(path.join(tmpdir(), 'bridge-bundles-'));
  const { endpoints, resources, gameye } = services;
  // What the stack sets on the functions, with the local services in place of AWS's.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.messaging,
    AWS_ENDPOINT_URL_SNS: endpoints.messaging,
    AWS_ENDPOINT_URL_S3: endpoints.messaging,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    [FUNCTION_ENV.tableName]: resources.tableName,
    [FUNCTION_ENV.topicArn]: resources.topicArn,
    // fauxqs names queues `http://sqs.<region>.127.0.0.1:<port>/…`, which WHATWG URL parsing
    // (and so the environment's schema) rejects; the same queue under the endpoint's address.
    [FUNCTION_ENV.deadLetterQueueUrl]: resources.deadLetterQueueUrl.replace(
      /^http:\/\/[^/]+/,
      endpoints.messaging,
    ),
    [FUNCTION_ENV.archiveBucketName]: resources.bucket,
    [FUNCTION_ENV.gameyeBaseUrl]: gameye.url,
    GAMEYE_TOKEN: gameye.token,
    [FUNCTION_ENV.bridgeConfig]: readFileSync(LOCAL_CONFIG_PATH, 'utf8'),
  });
}, 60_000);

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await services?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function load<T>(name: 'placement' | 'reaper'): Promise<T> {
  const file = path.join(outDir, name, 'index.mjs');
  await bundleFunction(FUNCTION_ENTRIES[name], file);
  const code = readFileSync(file, 'utf8');
  // The build options took effect: the slim undici, the node:http alias, maps without sources.
  expect(code).not.toContain('EventSource');
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
    sources: string[];
    sourcesContent?: unknown;
  };
  expect(map.sources.some((s) => s.endsWith('lambdas/runtime/node-http.cjs'))).toBe(true);
  expect(map.sources.some((s) => s.includes('undici/lib/web/fetch/index.js'))).toBe(false);
  expect(map.sourcesContent).toBeUndefined();
  const module = (await import(pathToFileURL(file).href)) as { handler: T };
  return module.handler;
}

function sqsEvent(id: string, body: unknown) {
  return { Records: [toRecord({ MessageId: id, ReceiptHandle: id, Body: JSON.stringify(body) }, 'local')] };
}

describe('the bundled functions', () => {
  it('place a match, end it with its archive, and run the reaper', async () => {
    const placement = await load<PlacementHandler>('placement');
    const clients = localClients(services.endpoints);
    const store = new DynamoSessionStore({
      client: clients.dynamodb,
      tableName: services.resources.tableName,
    });

    const matchFound = {
      version: 1,
      matchId: 'bundle-1',
      profile: 'arena-casual',
      players: [{ id: 'p1', latencies: { frankfurt: 20 } }],
    };
    const placed = await placement(sqsEvent('m-1', matchFound), fakeContext(Date.now() + 30_000));
    expect(placed.batchItemFailures).toEqual([]);
    expect((await store.get('bundle-1'))?.state).toBe('READY');

    const ended = await placement(
      sqsEvent('m-2', { type: 'MatchEnded', version: 1, matchId: 'bundle-1' }),
      fakeContext(Date.now() + 30_000),
    );
    expect(ended.batchItemFailures).toEqual([]);
    const record = await store.get('bundle-1');
    expect(record?.state).toBe('ENDED');
    const manifestKey = record?.archive?.manifestKey;
    expect(manifestKey).toBeTypeOf('string');
    const head = await clients.s3.send(
      new HeadObjectCommand({ Bucket: services.resources.bucket, Key: manifestKey }),
    );
    expect(head.ContentLength).toBeGreaterThan(0);

    const reaper = await load<ReaperHandler>('reaper');
    const run = await reaper({}, { getRemainingTimeInMillis: () => 60_000 });
    expect(run).toMatchObject({ outOfTime: false, active: 0, abandoned: 0 });
  }, 60_000);
});
