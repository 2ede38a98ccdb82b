#!/usr/bin/env node
/**
 * `npm start`: runs the whole bridge locally, end to end, and shows what it did.
 *
 *   npm start                           a one-minute simulation, then a summary
 *   npm start -- --matches 200 --rate 20 --seed 7
 *   npm start -- --matchmaker flexmatch     the matchmaker speaks FlexMatch (or openmatch2, nakama)
 *   npm start -- --json                 the summary as one JSON object on the last line of stdout
 *   npm start -- --serve                keep the stack running for manual use (Ctrl-C stops it)
 */
import { parseArgs } from 'node:util';
import { MATCHMAKERS } from '../tools/local/sim/native-formats.ts';
import { renderSummary } from '../tools/local/sim/render.ts';
import { runSimulation } from '../tools/local/sim/run.ts';

const HELP = `Usage: npm start -- [options]

Runs the bridge on local services (DynamoDB, SQS/SNS/S3, the Gameye emulator) with a simulated
matchmaker and game backend, then prints a summary read back from the services.

Options:
  --matches N   matches to form (default 120)
  --rate R      matches per second (default 12)
  --seed S      seed of the simulated world (default 1)
  --players A-B players per match, from A to B (default 2-10; at most 100)
  --timeout S   seconds to wait for the fleet to settle (default 60)
  --matchmaker M  the format the simulated matchmaker sends: match-found (MatchFound v1, the
                default), flexmatch (EventBridge events; the GameLift stand-in answers
                DescribeMatchmaking), openmatch2 (Match protojson) or nakama (NakamaMatched)
  --json        print the summary as one JSON object on the last line of stdout
  --serve       start the stack and keep it running until Ctrl-C (no simulation)
  --help        this text
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      matches: { type: 'string', default: '120' },
      rate: { type: 'string', default: '12' },
      seed: { type: 'string', default: '1' },
      players: { type: 'string', default: '2-10' },
      timeout: { type: 'string', default: '60' },
      matchmaker: { type: 'string', default: 'match-found' },
      json: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const num = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got ${v}`);
    return n;
  };
  if (values.serve) {
    const { serve } = await import('../tools/local/serve.ts');
    return serve();
  }
  const range = /^(\d+)-(\d+)$/.exec(values.players);
  const players = range ? ([Number(range[1]), Number(range[2])] as const) : undefined;
  if (!players || players[0] < 1 || players[1] < players[0] || players[1] > 100) {
    throw new UsageError(`--players must be a range A-B with 1 ≤ A ≤ B ≤ 100, got ${values.players}`);
  }
  const matchmaker = MATCHMAKERS.find((m) => m === values.matchmaker);
  if (matchmaker === undefined) {
    throw new UsageError(`--matchmaker must be one of ${MATCHMAKERS.join(', ')}, got ${values.matchmaker}`);
  }
  const tty = process.stderr.isTTY && !values.json;
  const summary = await runSimulation({
    matches: Math.floor(num('matches', values.matches, 1)),
    rate: num('rate', values.rate, 0.1),
    seed: Math.floor(num('seed', values.seed, 0)),
    players,
    timeoutSeconds: num('timeout', values.timeout, 1),
    matchmaker,
    progress: (line, final) => {
      if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      else if (final || !values.json) process.stderr.write(`${line}\n`);
    },
  });
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`\n${renderSummary(summary)}\n`);
  return Object.values(summary.invariants).every(Boolean) ? 0 : 1;
}

class UsageError extends Error {}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  },
);
