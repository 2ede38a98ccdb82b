/**
 * What a FlexMatch match costs placement over a MatchFound v1 match, in the same run: the
 * handler's overhead per match (from its start to SessionReady published, minus the time
 * inside Gameye calls, as `placement.bench.ts` measures it) for both, interleaved, with a
 * loopback GameLift answering `DescribeMatchmaking` after 20 ms. The difference should be that
 * one call: the translation itself costs microseconds (`formats.bench.ts`).
 *
 * Services (dynalite, fauxqs, the emulator answering POST /session after 50 ms) run in a child
 * process; the GameLift stand-in here is a plain HTTP server speaking JSON 1.1.
 *
 *   node bench/flexmatch-placement.bench.ts [--matches 300] [--json]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import type { GameyePort, MatchmakingTickets } from '../lambdas/core/ports.ts';
import { makePlacementHandler } from '../lambdas/handlers/placement-handler.ts';
import { placementDeps } from '../lambdas/runtime/placement-deps.ts';
import { defaultEmulatorConfigInput } from '../tools/gameye-emulator/index.ts';
import { startChildServices } from '../tools/local/child-services.ts';
import { localClients } from '../tools/local/local-aws.ts';
import { LOCAL_CONFIG_PATH, localRuntimeEnv } from '../tools/local/local-bridge.ts';
import { silentMetrics } from '../tools/local/silent-metrics.ts';
import { fakeContext } from '../tools/local/sqs-event-source.ts';

const GAMEYE_MS = 50;
const GAMELIFT_MS = 20;
const PLAYERS = 4;

const { values } = parseArgs({
  options: {
    matches: { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const MATCHES = Number(values.matches);

const LATENCIES = { frankfurt: 20, dublin: 30, virginia: 90 };

// GameLift's JSON 1.1 answer to DescribeMatchmaking, after GAMELIFT_MS: ticket `<m>-t<k>` holds player `<m>-p<k>`.
let describeCalls = 0;
const gamelift = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    describeCalls++;
    const { TicketIds } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { TicketIds: string[] };
    const TicketList = TicketIds.map((TicketId) => ({
      TicketId,
      Status: 'COMPLETED',
      Players: [{ PlayerId: TicketId.replace(/-t(\d+)$/, '-p$1'), LatencyInMs: LATENCIES }],
    }));
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ TicketList }));
    }, GAMELIFT_MS);
  });
});
await new Promise<void>((resolve) => gamelift.listen(0, '127.0.0.1', resolve));
const gameliftUrl = `http://127.0.0.1:${(gamelift.address() as AddressInfo).port}`;

const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
for (const r of emulatorConfig.regions) r.capacity = 1_000_000;
emulatorConfig.latency = {
  fixedMs: 0,
  jitterMs: 0,
  operations: { 'session-run': { fixedMs: GAMEYE_MS, jitterMs: 0 } },
};
const services = await startChildServices(emulatorConfig);
const clients = localClients(services.endpoints);
const config = {
  ...(JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as Record<string, unknown>),
  sources: { matchFound: {}, flexMatch: { configurations: { 'bench-config': { profile: 'arena-casual' } } } },
};
const deps = placementDeps({
  env: localRuntimeEnv(services.resources, services.gameye, config),
  clients,
  gameLift: {
    region: 'eu-west-1',
    endpoint: gameliftUrl,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  },
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: silentMetrics(),
});

const gameyeMs = new Map<string, number>();
const lookupMs = new Map<string, number>();
const publishedAt = new Map<string, number>();
const timed = async <T>(
  into: Map<string, number>,
  key: string | undefined,
  fn: () => Promise<T>,
): Promise<T> => {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    if (key) into.set(key, (into.get(key) ?? 0) + performance.now() - t0);
  }
};
const tickets = deps.tickets as MatchmakingTickets;
const handler = makePlacementHandler({
  ...deps,
  tickets: {
    describeTickets: (ids) =>
      timed(lookupMs, ids[0]?.replace(/-t\d+$/, ''), () => tickets.describeTickets(ids)),
  },
  gameyeFor: async (timeoutMs, onError) => {
    const port: GameyePort = await deps.gameyeFor(timeoutMs, onError);
    return {
      availableLocations: (image) => port.availableLocations(image),
      tagExists: (r, i, v) => port.tagExists(r, i, v),
      startSession: (req) => timed(gameyeMs, req.labels['bridge-match-id'], () => port.startSession(req)),
      describeSession: (id) => port.describeSession(id),
      stopSession: (id) => port.stopSession(id),
    };
  },
  publisher: {
    publish: async (event) => {
      await deps.publisher.publish(event);
      if (event.type === 'SessionReady') publishedAt.set(event.matchId, performance.now());
    },
  },
});

const matchFound = (matchId: string): string =>
  JSON.stringify({
    version: 1,
    matchId,
    profile: 'arena-casual',
    players: Array.from({ length: PLAYERS }, (_, p) => ({ id: `${matchId}-p${p}`, latencies: LATENCIES })),
  });
const flexMatch = (matchId: string): string =>
  JSON.stringify({
    version: '0',
    id: `evt-${matchId}`,
    'detail-type': 'GameLift Matchmaking Event',
    source: 'aws.gamelift',
    resources: ['arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/bench-config'],
    detail: {
      type: 'MatchmakingSucceeded',
      matchId,
      tickets: Array.from({ length: PLAYERS }, (_, p) => ({
        ticketId: `${matchId}-t${p}`,
        players: [{ playerId: `${matchId}-p${p}` }],
      })),
    },
  });
const event = (body: string): SQSEvent => ({
  Records: [
    {
      messageId: 'bench',
      receiptHandle: 'r',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'bench',
      awsRegion: 'local',
    },
  ],
});
const overheadOf = async (matchId: string, body: string): Promise<number> => {
  const t0 = performance.now();
  const res = await handler(event(body), fakeContext(Date.now() + 30_000));
  if (res.batchItemFailures.length > 0) throw new Error(`bench: ${matchId} failed`);
  const done = publishedAt.get(matchId);
  if (done === undefined) throw new Error(`bench: ${matchId} was not published`);
  return done - t0 - (gameyeMs.get(matchId) ?? 0);
};

// Warm up both paths: connection pools and the GameLift client's first call are a cold start.
for (let i = 0; i < 20; i++) {
  await overheadOf(`warm-mf-${i}`, matchFound(`warm-mf-${i}`));
  await overheadOf(`warm-fm-${i}`, flexMatch(`warm-fm-${i}`));
}
describeCalls = 0;

const mf: number[] = [];
const fm: number[] = [];
const lookups: number[] = [];
for (let i = 0; i < MATCHES; i++) {
  // Alternate which goes first, so neither always follows the other.
  const pair = [
    async () => mf.push(await overheadOf(`mf-${i}`, matchFound(`mf-${i}`))),
    async () => {
      fm.push(await overheadOf(`fm-${i}`, flexMatch(`fm-${i}`)));
      lookups.push(lookupMs.get(`fm-${i}`) ?? Number.NaN);
    },
  ];
  if (i % 2 === 1) pair.reverse();
  for (const run of pair) await run();
  if (!values.json && (i + 1) % Math.max(1, Math.floor(MATCHES / 10)) === 0)
    process.stderr.write(`  ${i + 1}/${MATCHES} pairs\r`);
}
for (const c of [clients.dynamodb, clients.sns, clients.sqs, clients.s3]) c.destroy();
await services.stop();
await new Promise<void>((resolve) => gamelift.close(() => resolve()));

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const round = (n: number): number => Math.round(n * 100) / 100;
const result = {
  node: process.version,
  matches: MATCHES,
  players: PLAYERS,
  gameyePostMs: GAMEYE_MS,
  gameliftAnswerMs: GAMELIFT_MS,
  matchFoundOverheadMs: { p50: round(q(mf, 50)), p99: round(q(mf, 99)) },
  flexMatchOverheadMs: { p50: round(q(fm, 50)), p99: round(q(fm, 99)) },
  lookupMs: { p50: round(q(lookups, 50)), p99: round(q(lookups, 99)) },
  differenceP50Ms: round(q(fm, 50) - q(mf, 50)),
  describeMatchmakingCallsPerMatch: round(describeCalls / MATCHES),
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(
    [
      '',
      `FlexMatch against MatchFound v1 (${result.node}, ${MATCHES} of each, ${PLAYERS} players, POST /session = ${GAMEYE_MS} ms, DescribeMatchmaking = ${GAMELIFT_MS} ms)`,
      '',
      '| measure | p50 | p99 |',
      '|---|---:|---:|',
      `| MatchFound v1 overhead | ${result.matchFoundOverheadMs.p50} ms | ${result.matchFoundOverheadMs.p99} ms |`,
      `| FlexMatch overhead | ${result.flexMatchOverheadMs.p50} ms | ${result.flexMatchOverheadMs.p99} ms |`,
      `| of which the ticket lookup (DescribeMatchmaking) | ${result.lookupMs.p50} ms | ${result.lookupMs.p99} ms |`,
      `| FlexMatch − MatchFound v1 | ${result.differenceP50Ms} ms | |`,
      `| the rest: difference − lookup | ${round(result.differenceP50Ms - result.lookupMs.p50)} ms | |`,
      `| DescribeMatchmaking calls per FlexMatch match | ${result.describeMatchmakingCallsPerMatch} | |`,
      '',
    ].join('\n'),
  );
}
