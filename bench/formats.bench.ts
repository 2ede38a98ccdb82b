/**
 * What reading a message at the edge costs, per format: `readInbound` on the raw SQS body (the
 * one JSON reader, the shape test, the translation into MatchFound v1 and its final check), as
 * the placement function runs it, with zod's JIT off as at its cold start. Messages of 2, 10
 * and 100 players, each region measured by every player (4 regions; 64 for the largest).
 *
 *   node bench/formats.bench.ts [--iterations 2000] [--json]
 */
import '../lambdas/runtime/zod-cold-start.ts';
import { parseArgs } from 'node:util';
import { parseBridgeConfig } from '../lambdas/core/config.ts';
import type { Format } from '../lambdas/core/formats/sources.ts';
import { readInbound } from '../lambdas/core/inbound.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const ITERATIONS = Number(values.iterations);
const ROUNDS = 7;

const sources = parseBridgeConfig({
  deploymentId: 'bench',
  sessionNamespace: '3b241101-e2bb-4255-8caf-4136c566a962',
  profiles: { arena: { image: 'arena-server' } },
  sources: {
    matchFound: {},
    flexMatch: { configurations: { 'arena-config': { profile: 'arena' } } },
    openMatch2: { latencyPrefix: 'latency-ms.', profileKey: 'profile', defaultProfile: 'arena' },
    nakama: {
      latencyPrefix: 'latency_',
      teamProperty: 'team',
      profileProperty: 'profile',
      defaultProfile: 'arena',
    },
  },
}).sources;

const regionsFor = (n: number): string[] => Array.from({ length: n }, (_, i) => `region-${i}-1`);
const latencies = (regions: readonly string[], p: number) =>
  Object.fromEntries(regions.map((r, i) => [r, 20 + ((p * 7 + i * 13) % 180)]));

function body(format: Format, players: number, regionCount: number): string {
  const regions = regionsFor(regionCount);
  const ids = Array.from({ length: players }, (_, p) => `player-${p}`);
  const team = (p: number) => (p % 2 === 0 ? 'red' : 'blue');
  switch (format) {
    case 'match-found':
      return JSON.stringify({
        version: 1,
        matchId: 'bench-match',
        profile: 'arena',
        players: ids.map((id, p) => ({ id, team: team(p), latencies: latencies(regions, p) })),
      });
    case 'flexmatch':
      // One ticket per player; latencies stay on the tickets (looked up at placement, not here).
      return JSON.stringify({
        version: '0',
        id: 'evt',
        'detail-type': 'GameLift Matchmaking Event',
        source: 'aws.gamelift',
        resources: ['arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/arena-config'],
        detail: {
          type: 'MatchmakingSucceeded',
          matchId: 'bench-match',
          tickets: ids.map((id, p) => ({ ticketId: `t-${p}`, players: [{ playerId: id, team: team(p) }] })),
        },
      });
    case 'openmatch2': {
      const ticket = (id: string, p: number) => ({
        id,
        attributes: {
          doubleArgs: Object.fromEntries(
            Object.entries(latencies(regions, p)).map(([r, ms]) => [`latency-ms.${r}`, ms]),
          ),
        },
      });
      return JSON.stringify({
        id: 'bench-match',
        rosters: {
          red: { tickets: ids.filter((_, p) => p % 2 === 0).map((id, i) => ticket(id, i * 2)) },
          blue: { tickets: ids.filter((_, p) => p % 2 === 1).map((id, i) => ticket(id, i * 2 + 1)) },
        },
        extensions: {
          profile: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'arena' },
        },
      });
    }
    case 'nakama':
      return JSON.stringify({
        type: 'NakamaMatched',
        version: 1,
        matchId: 'bench-match',
        entries: ids.map((id, p) => ({
          presence: { userId: id, sessionId: `s-${p}`, username: `u${p}`, node: 'n1' },
          properties: {
            team: team(p),
            ...Object.fromEntries(
              Object.entries(latencies(regions, p)).map(([r, ms]) => [`latency_${r}`, ms]),
            ),
          },
        })),
      });
  }
}

const FORMATS: Format[] = ['match-found', 'flexmatch', 'openmatch2', 'nakama'];
const SIZES = [
  { players: 2, regions: 4 },
  { players: 10, regions: 4 },
  { players: 100, regions: 64 },
] as const;

interface Row {
  readonly format: Format;
  readonly players: number;
  readonly regions: number;
  readonly bytes: number;
  /** Median over rounds of the mean µs per message. */
  readonly usPerMessage: number;
}

const rows: Row[] = [];
for (const size of SIZES) {
  for (const format of FORMATS) {
    const text = body(format, size.players, size.regions);
    const first = readInbound(text, sources);
    if (first.kind !== 'match')
      throw new Error(`bench: ${format} did not read as a match: ${JSON.stringify(first)}`);
    const iterations = Math.max(20, Math.floor(ITERATIONS / (size.players / 2)));
    for (let i = 0; i < iterations; i++) readInbound(text, sources);
    const perRound: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) readInbound(text, sources);
      perRound.push(((performance.now() - t0) * 1000) / iterations);
    }
    perRound.sort((a, b) => a - b);
    rows.push({
      format,
      players: size.players,
      regions: size.regions,
      bytes: Buffer.byteLength(text),
      usPerMessage: Math.round((perRound[Math.floor(ROUNDS / 2)] ?? 0) * 10) / 10,
    });
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, rows })}\n`);
} else {
  const base = (r: Row) =>
    rows.find((b) => b.format === 'match-found' && b.players === r.players)?.usPerMessage ?? 1;
  process.stdout.write(
    [
      '',
      `Reading a message at the edge (readInbound), ${process.version}, zod JIT off as at cold start`,
      '',
      '| format | players × regions | body | µs / message (median of rounds) | vs MatchFound v1 |',
      '|---|---|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.format} | ${r.players} × ${r.regions} | ${(r.bytes / 1024).toFixed(1)} KiB | ${r.usPerMessage} | ${(r.usPerMessage / base(r)).toFixed(2)}× |`,
      ),
      '',
    ].join('\n'),
  );
}
