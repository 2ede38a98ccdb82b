/**
 * The two Lambda bundles, built as the construct builds them (BUNDLE_OPTIONS), each invocation
 * run in a fresh `node` process with the NODE_OPTIONS and environment the stack sets (the local
 * services standing in for AWS's): a MatchFound placed, its MatchEnded stopped, archived by a
 * reaper run. What the other tests cannot see: Node's own loader on the bundle, undici loaded
 * from its own files, node:http through its alias, and each entry point's composition of real
 * clients from the environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store.ts';
import { FUNCTION_ENV } from '../../lambdas/shared/resources.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../../lib/bundle-options.ts';
import { bundleFunction } from '../../tools/bundle/function-bundle.ts';
import { type ChildServices, startChildServices } from '../../tools/local/child-services.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClients } from '../../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH } from '../../tools/local/local-bridge.ts';
import { toRecord } from '../../tools/local/sqs-event-source.ts';

let services: ChildServices;
let outDir: string;
let functionEnv: Record<string, string>;
const bundles: Partial<Record<'placement' | 'reaper', string>> = {};

beforeAll(async () => {
  services = await startChildServices();
  outDir = mkdtempSync(path.join(tmpdir(), 'bridge-bundles-'));
  const { endpoints, resources, gameye } = services;
  functionEnv = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: BUNDLE_OPTIONS.nodeOptions,
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
    [FUNCTION_ENV.matchesQueueUrl]: resources.matchesQueueUrl.replace(/^http:\/\/[^/]+/, endpoints.messaging),
    [FUNCTION_ENV.archiveBucketName]: resources.bucket,
    [FUNCTION_ENV.gameyeBaseUrl]: gameye.url,
    GAMEYE_TOKEN: gameye.token,
    [FUNCTION_ENV.bridgeConfig]: readFileSync(LOCAL_CONFIG_PATH, 'utf8'),
  };
  for (const name of ['placement', 'reaper'] as const) {
    const file = path.join(outDir, name, 'index.mjs');
    await bundleFunction(FUNCTION_ENTRIES[name], file);
    bundles[name] = file;
  }
}, 60_000);

afterAll(async () => {
  await services?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** One cold start and one invocation: import the bundle, call its handler, print the result. */
function invoke(name: 'placement' | 'reaper', event: unknown): unknown {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundles[name] ?? '').href)});
    // Time left stays at 30 s: a slow cold start on a busy machine must not read as a timeout.
    const context = { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 30_000 };
    process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT), context)));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...functionEnv, EVENT: JSON.stringify(event) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out);
}

function sqsEvent(id: string, body: unknown) {
  return { Records: [toRecord({ MessageId: id, ReceiptHandle: id, Body: JSON.stringify(body) }, 'local')] };
}

describe('the bundled functions', () => {
  it('were built with the options that ship: slim undici, node:http aliased, maps without sources', () => {
    for (const file of Object.values(bundles)) {
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sources.some((s) => s.endsWith('lambdas/runtime/node-http.cjs'))).toBe(true);
      expect(map.sources.some((s) => s.includes('undici/lib/web/fetch/index.js'))).toBe(false);
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it("run without undici's non-SIMD parser, its FormData support and the credential providers Lambda never reaches", () => {
    // The cold-process test below runs these very files, Gameye calls and AWS calls included.
    for (const file of Object.values(bundles)) {
      const { sources } = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
      expect(sources.filter((s) => s.endsWith('undici/lib/llhttp/llhttp-wasm.js'))).toEqual([]);
      expect(sources.some((s) => s.endsWith('undici/lib/llhttp/llhttp_simd-wasm.js'))).toBe(true);
      expect(sources.filter((s) => /undici\/lib\/web\/(webidl|fetch\/(body|formdata))/.test(s))).toEqual([]);
      expect(
        sources.filter((s) =>
          /@aws-sdk\/(credential-provider-(sso|ini|process|web-identity)|nested-clients)\//.test(s),
        ),
      ).toEqual([]);
    }
  });

  it('keep S3, multipart uploads and the archive out of the placement function', () => {
    const sources = (name: 'placement' | 'reaper') =>
      (JSON.parse(readFileSync(`${bundles[name]}.map`, 'utf8')) as { sources: string[] }).sources;
    const archiving = (s: string) =>
      /client-s3\/|lib-storage\/|tar-stream\/|lambdas\/adapters\/s3-archive\.ts|lambdas\/core\/archive\.ts/.test(
        s,
      );
    expect(sources('placement').filter(archiving)).toEqual([]);
    // The check has teeth: the reaper, which archives, does bundle them.
    expect(sources('reaper').some(archiving)).toBe(true);
  });

  it('place a match, stop it on MatchEnded, and archive it in a reaper run, each in a cold process', async () => {
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

    expect(invoke('placement', sqsEvent('m-1', matchFound))).toEqual({ batchItemFailures: [] });
    expect((await store.get('bundle-1'))?.state).toBe('READY');

    const ended = invoke(
      'placement',
      sqsEvent('m-2', { type: 'MatchEnded', version: 1, matchId: 'bundle-1' }),
    );
    expect(ended).toEqual({ batchItemFailures: [] });
    expect(await store.get('bundle-1')).toMatchObject({ state: 'ENDING', endReason: 'match-ended' });

    expect(invoke('reaper', {})).toMatchObject({ outOfTime: false, active: 1, ended: 1 });
    const record = await store.get('bundle-1');
    expect(record?.state).toBe('ENDED');
    const manifestKey = record?.archive?.manifestKey;
    expect(manifestKey).toBeTypeOf('string');
    const head = await clients.s3.send(
      new HeadObjectCommand({ Bucket: services.resources.bucket, Key: manifestKey }),
    );
    expect(head.ContentLength).toBeGreaterThan(0);
  }, 90_000);
});
