/**
 * `bridge send-match` and `bridge end-match`: put a MatchFound or MatchEnded message on the
 * matches queue, exactly as a matchmaker or game backend would, after validating it with
 * the bridge's own schema so a typo is caught here with the field's name, not in the DLQ.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Command } from 'commander';
import type * as z from 'zod';
import { fieldIssues } from '../../../lambdas/core/issues.ts';
import { MAX_BODY_BYTES, MatchEndedV1, MatchFoundV1 } from '../../../lambdas/core/match-event.ts';
import { SessionRecord } from '../../../lambdas/core/session-record.ts';
import { SESSIONS_TABLE } from '../../../lambdas/shared/sessions-table.ts';
import { type CommandContext, collect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { keyValues, writeJson, writeLine } from '../format.ts';
import { readAll } from '../io.ts';
import type { Target } from '../target.ts';

interface SendMatchOptions {
  readonly file?: string;
  readonly matchId?: string;
  readonly profile?: string;
  readonly player?: readonly string[];
  readonly ttl?: string;
  readonly env?: readonly string[];
  readonly label?: readonly string[];
  readonly arg?: readonly string[];
  readonly force?: boolean;
  readonly wait?: string | boolean;
}

export function registerSendMatch(program: Command, ctx: CommandContext): void {
  program
    .command('send-match')
    .summary('validate a MatchFound event and put it on the matches queue')
    .description(
      'Validate a MatchFound v1 event with the bridge schema and send it to the matches queue.\n' +
        'Give the event as a file (--file f.json), on stdin (`-`), or build it from flags.\n' +
        'Invalid events are refused (exit 2) with the path of every bad field; nothing is sent.',
    )
    .argument('[source]', "'-' to read the event from stdin (same as --file -)")
    .option('-f, --file <path>', "read the event from a JSON file ('-' for stdin)")
    .option('--match-id <id>', 'flags mode: the match id')
    .option('--profile <name>', 'flags mode: a profile of the bridge config')
    .option(
      '--player <spec>',
      'flags mode, repeatable: id[:region=ms,region=ms...], e.g. p1:dublin=25,frankfurt=40',
      collect,
    )
    .option('--ttl <duration>', 'flags mode: ttl override (1m, 1h, 2h30m)')
    .option('--env <KEY=VALUE>', 'flags mode, repeatable: env override', collect)
    .option('--label <key=value>', 'flags mode, repeatable: label override', collect)
    .option('--arg <arg>', 'flags mode, repeatable: args override', collect)
    .option('--force', 'send even if the profile is not in the bridge config')
    .option('--wait [seconds]', 'wait until the match is READY or FAILED (default 30 s)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  bridge send-match --file match.json\n' +
        '  cat match.json | bridge send-match -\n' +
        '  bridge send-match --match-id m-42 --profile arena-casual \\\n' +
        '      --player p1:dublin=25,frankfurt=40 --player p2:frankfurt=30 --wait',
    )
    .action(async (source: string | undefined, options: SendMatchOptions, command: Command) => {
      const { body, event } = await readMatchFound(source, options, ctx);
      await ctx.withTarget(command, async (target, globals) => {
        if (!options.force) checkProfile(target, event.profile);
        const sent = await target.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: target.resources.matchesQueueUrl, MessageBody: body }),
        );
        const result: Record<string, unknown> = {
          sent: true,
          matchId: event.matchId,
          messageId: sent.MessageId,
          queueUrl: target.resources.matchesQueueUrl,
        };
        const waitMs = waitMillis(options.wait);
        let exit: 0 | 1 = 0;
        if (waitMs !== undefined) {
          const record = await waitForOutcome(target, event.matchId, waitMs, ctx.io.signal);
          result.record = record ?? null;
          if (record?.state !== 'READY') exit = 1;
        }
        if (globals.json) writeJson(ctx.io.stdout, result);
        else {
          writeLine(ctx.io.stdout, `Sent MatchFound ${event.matchId} (message ${sent.MessageId ?? '?'}).`);
          if (waitMs !== undefined) printOutcome(ctx, event.matchId, result.record as SessionRecord | null);
        }
        return exit;
      });
    });

  program
    .command('end-match')
    .summary('send MatchEnded for a match (the bridge stops and archives its session)')
    .description(
      'Send a MatchEnded v1 message to the matches queue, as the game backend does when a match is\n' +
        'over. The bridge then stops the session and archives it. To stop directly, use `bridge stop`.',
    )
    .argument('<matchId>', 'the match id')
    .option('--reason <text>', 'why the match ended (kept in the record and the SessionEnded event)')
    .action(async (matchId: string, options: { reason?: string }, command: Command) => {
      const raw = {
        type: 'MatchEnded',
        version: 1,
        matchId,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      };
      validate(MatchEndedV1, raw, 'MatchEnded');
      await ctx.withTarget(command, async (target, globals) => {
        const sent = await target.clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: target.resources.matchesQueueUrl,
            MessageBody: JSON.stringify(raw),
          }),
        );
        if (globals.json) writeJson(ctx.io.stdout, { sent: true, matchId, messageId: sent.MessageId });
        else writeLine(ctx.io.stdout, `Sent MatchEnded ${matchId} (message ${sent.MessageId ?? '?'}).`);
        return 0;
      });
    });
}

async function readMatchFound(
  source: string | undefined,
  options: SendMatchOptions,
  ctx: CommandContext,
): Promise<{ body: string; event: MatchFoundV1 }> {
  const flagsUsed = [
    options.matchId,
    options.profile,
    options.player,
    options.ttl,
    options.env,
    options.label,
    options.arg,
  ].some((v) => v !== undefined);
  if (source !== undefined && options.file !== undefined) {
    throw new UsageError('give the event once: either --file or the [source] argument');
  }
  const from = options.file ?? source;
  if (from !== undefined && flagsUsed) {
    throw new UsageError(
      'give the event either as a file/stdin or as flags (--match-id, --profile, --player), not both',
    );
  }
  let body: string;
  let label: string;
  if (from === '-') {
    body = await readAll(ctx.io.stdin);
    label = 'stdin';
  } else if (from !== undefined) {
    const path = resolve(ctx.io.cwd, from);
    try {
      body = readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    label = from;
  } else if (flagsUsed) {
    body = JSON.stringify(eventFromFlags(options));
    label = 'flags';
  } else {
    throw new UsageError(
      'no event given: use --file <path>, `-` for stdin, or --match-id/--profile/--player',
      {
        details: ['See `bridge send-match --help`.'],
      },
    );
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES)
    throw new UsageError(`the event from ${label} is ${bytes} bytes; at most ${MAX_BODY_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new UsageError(`the event from ${label} is not valid JSON: ${(err as Error).message}`, {
      code: 'INVALID_EVENT',
    });
  }
  return { body, event: validate(MatchFoundV1, json, 'MatchFound') };
}

/** Validate with the bridge's own schema; a failure names every bad field (exit 2). */
function validate<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = fieldIssues(parsed.error);
  throw new UsageError(`invalid ${what} event: ${issues.map((i) => i.path || '(root)').join(', ')}`, {
    code: 'INVALID_EVENT',
    details: issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
    cause: parsed.error,
  });
}

function eventFromFlags(o: SendMatchOptions): Record<string, unknown> {
  const event: Record<string, unknown> = {
    version: 1,
    matchId: o.matchId,
    profile: o.profile,
    players: (o.player ?? []).map(parsePlayer),
  };
  if (o.ttl !== undefined) event.ttl = o.ttl;
  if (o.env) event.env = pairs(o.env, '--env');
  if (o.label) event.labels = pairs(o.label, '--label');
  if (o.arg) event.args = [...o.arg];
  return event;
}

/**
 * `p1:dublin=25,frankfurt=40` → `{ id: 'p1', latencies: { dublin: 25, frankfurt: 40 } }`.
 * Player ids may contain `:`, so the latencies are what follows the last `:` when it holds `=`.
 * A latency that is not a number is passed through so the schema names the field.
 */
export function parsePlayer(spec: string): Record<string, unknown> {
  const colon = spec.lastIndexOf(':');
  const tail = colon === -1 ? '' : spec.slice(colon + 1);
  if (colon === -1 || !tail.includes('=')) return { id: spec };
  const latencies: Record<string, unknown> = {};
  for (const part of tail.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--player ${spec}: expected region=ms pairs after ':', got '${part}'`);
    const ms = part.slice(eq + 1).trim();
    const n = Number(ms);
    latencies[part.slice(0, eq).trim()] = ms !== '' && Number.isFinite(n) ? n : ms;
  }
  return { id: spec.slice(0, colon), latencies };
}

function pairs(values: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${option} ${v}: expected KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function checkProfile(target: Target, profile: string): void {
  const config = target.config();
  if (profile in config.profiles) return;
  throw new UsageError(`profile: unknown profile '${profile}' in ${target.configPath}`, {
    code: 'INVALID_EVENT',
    details: [
      `configured profiles: ${Object.keys(config.profiles).join(', ')}`,
      'The bridge would answer SessionFailed (unknown-profile). Use --force to send anyway.',
    ],
  });
}

function waitMillis(wait: string | boolean | undefined): number | undefined {
  if (wait === undefined || wait === false) return undefined;
  if (wait === true) return 30_000;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--wait: expected seconds, got '${wait}'`);
  return seconds * 1000;
}

/** Poll the record until it leaves PLACING (or time runs out): READY or FAILED. */
async function waitForOutcome(
  target: Target,
  matchId: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<SessionRecord | undefined> {
  const until = Date.now() + timeoutMs;
  let last: SessionRecord | undefined;
  while (Date.now() < until && !signal?.aborted) {
    const out = await target.clients.dynamodb.send(
      new GetItemCommand({
        TableName: target.resources.tableName,
        Key: { [SESSIONS_TABLE.partitionKey.name]: { S: matchId } },
        ConsistentRead: true,
      }),
    );
    if (out.Item) {
      const parsed = SessionRecord.safeParse(unmarshall(out.Item));
      if (parsed.success) {
        last = parsed.data;
        if (last.state !== 'PLACING') return last;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

function printOutcome(ctx: CommandContext, matchId: string, record: SessionRecord | null): void {
  if (!record) {
    writeLine(ctx.io.stderr, `No session record for ${matchId} yet: is the placement function running?`);
    return;
  }
  if (record.state === 'PLACING') {
    writeLine(ctx.io.stderr, `Still PLACING after the wait; see \`bridge session ${matchId}\`.`);
    return;
  }
  writeLine(
    ctx.io.stdout,
    keyValues([
      ['state', record.state],
      ['region', record.region],
      ['host', record.host],
      ['ports', record.ports?.map((p) => `${p.container}/${p.protocol}→${p.host}`).join(' ')],
      ['failure', record.failure ? `${record.failure.reason}: ${record.failure.message}` : undefined],
    ]),
  );
}
