/**
 * `bridge send-match` and `bridge end-match`: put a MatchFound or MatchEnded message on the
 * matches queue, exactly as a matchmaker or game backend would, after validating it with
 * the bridge's own schema and running the checks placement makes before its claim (profile,
 * allowed overrides), so a typo is caught here with the field's name, not in the DLQ. With
 * `--format`, a matchmaker's native message (FlexMatch, Open Match 2, Nakama) is sent as it
 * is, after the same translation the placement function runs at its edge.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type * as z from 'zod';
import { type MatchEventError, PermanentPlacementError } from '../../../lambdas/core/errors.ts';
import { FORMAT_INFO, FORMATS, type Format } from '../../../lambdas/core/formats/sources.ts';
import { translateForCli } from '../../../lambdas/core/formats/translate-for-cli.ts';
import { fieldIssues } from '../../../lambdas/core/issues.ts';
import {
  MAX_BODY_BYTES,
  MatchEndedV1,
  MatchFoundV1,
  readJsonBody,
} from '../../../lambdas/core/match-event.ts';
import { resolvePlan } from '../../../lambdas/core/placement/plan.ts';
import { sessionIdFor } from '../../../lambdas/core/session-id.ts';
import type { SessionRecord } from '../../../lambdas/core/session-record.ts';
import { type CommandContext, collect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { keyValues, writeJson, writeLine } from '../format.ts';
import { readAll, systemClock } from '../io.ts';
import { getRecord } from '../records.ts';
import type { Target } from '../target.ts';
import { type MatchOutcome, waitForOutcome } from '../wait-for-outcome.ts';

interface SendMatchOptions {
  readonly format?: string;
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
        'Invalid events are refused (exit 2) with the path of every bad field; nothing is sent.\n' +
        'So is an event the bridge would refuse before placing it: a profile the bridge config\n' +
        "does not have, or an override (env, labels, args, ttl) the profile's allowOverrides does\n" +
        'not allow. --force sends it anyway. With --wait, a match the bridge parks in the\n' +
        'dead-letter queue is reported with its reason as soon as it is there (exit 1).\n' +
        "With --format flexmatch|openmatch2|nakama the file holds the matchmaker's own message (a\n" +
        "FlexMatch EventBridge event, an Open Match 2 Match's protojson, a NakamaMatched message): it\n" +
        "is translated as the bridge will translate it, with the bridge config's sources, refused\n" +
        '(exit 2) with the field at fault if the bridge would refuse it, and sent as it is.',
    )
    .argument('[source]', "'-' to read the event from stdin (same as --file -)")
    .option(
      '--format <format>',
      `the message's format: ${FORMATS.join(', ')} (a matchmaker's own message, from a file or stdin)`,
      'match-found',
    )
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
    .option('--force', 'send even if the bridge would refuse it (unknown profile, override not allowed)')
    .option(
      '--wait [seconds]',
      'wait until the match is READY, FAILED or dead-lettered (default 30 s; exit 1 unless READY)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  bridge send-match --file match.json\n' +
        '  bridge send-match --format flexmatch --file matchmaking-succeeded.json --wait\n' +
        '  cat match.json | bridge send-match -\n' +
        '  bridge send-match --match-id m-42 --profile arena-casual \\\n' +
        '      --player p1:dublin=25,frankfurt=40 --player p2:frankfurt=30 --wait',
    )
    .action(async (source: string | undefined, options: SendMatchOptions, command: Command) => {
      const format = formatOf(options.format);
      const read = await readMatchFound(source, options, format, ctx);
      const waitMs = waitMillis(options.wait);
      await ctx.withTarget(command, async (target, globals) => {
        const { body } = read;
        // A native message is translated with this deployment's sources, as its edge will.
        const { event, notes } =
          read.kind === 'match-found'
            ? { event: read.event, notes: [] }
            : translated(format, read.json, target);
        if (!options.force) checkPlan(target, event);
        const sent = await target.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: target.resources.matchesQueueUrl, MessageBody: body }),
        );
        const result: Record<string, unknown> = {
          sent: true,
          format,
          matchId: event.matchId,
          messageId: sent.MessageId,
          queueUrl: target.resources.matchesQueueUrl,
          notes,
        };
        let outcome: MatchOutcome | undefined;
        if (waitMs !== undefined) {
          outcome = await waitForOutcome(
            target,
            { matchId: event.matchId, messageId: sent.MessageId },
            { timeoutMs: waitMs, clock: ctx.io.clock ?? systemClock, signal: ctx.io.signal },
          );
          result.record = outcome.kind === 'dead-lettered' ? null : (outcome.record ?? null);
          result.deadLetter = outcome.kind === 'dead-lettered' ? deadLetterSummary(outcome) : null;
        }
        if (globals.json) writeJson(ctx.io.stdout, result);
        else {
          const what = format === 'match-found' ? 'MatchFound' : `${FORMAT_INFO[format].name} match`;
          writeLine(ctx.io.stdout, `Sent ${what} ${event.matchId} (message ${sent.MessageId ?? '?'}).`);
          for (const note of notes) writeLine(ctx.io.stdout, `Note: ${note}`);
          if (outcome) printOutcome(ctx, event.matchId, outcome);
        }
        return outcome === undefined || (outcome.kind === 'settled' && outcome.record.state === 'READY')
          ? 0
          : 1;
      });
    });

  program
    .command('end-match')
    .summary('send MatchEnded for a match (the bridge stops and archives its session)')
    .description(
      'Send a MatchEnded v1 message to the matches queue, as the game backend does when a match is\n' +
        'over. The bridge then stops the session and archives it, as `bridge stop` does at once.\n' +
        'Without --yes, only shows what it would end (exit 2) and sends nothing.',
    )
    .argument('<matchId>', 'the match id')
    .option('--reason <text>', 'why the match ended (kept in the record and the SessionEnded event)')
    .option('-y, --yes', 'really send it (without: show what it would end)')
    .action(async (matchId: string, options: { reason?: string; yes?: boolean }, command: Command) => {
      const raw = {
        type: 'MatchEnded',
        version: 1,
        matchId,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      };
      validate(MatchEndedV1, raw, 'MatchEnded');
      await ctx.withTarget(command, async (target, globals) => {
        if (!options.yes) {
          throw new UsageError(
            `not sent: add --yes to end match ${matchId}: ${wouldEnd(await getRecord(target, matchId))}`,
            { code: 'NOT_CONFIRMED' },
          );
        }
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

/** The `--format` value, checked. */
function formatOf(value: string | undefined): Format {
  const format = FORMATS.find((f) => f === (value ?? 'match-found'));
  if (format === undefined)
    throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got '${value}'`);
  return format;
}

type ReadMessage =
  | { readonly kind: 'match-found'; readonly body: string; readonly event: MatchFoundV1 }
  /** A native message, read through the bridge's JSON reader; translated once the config is known. */
  | { readonly kind: 'native'; readonly body: string; readonly json: unknown };

async function readMatchFound(
  source: string | undefined,
  options: SendMatchOptions,
  format: Format,
  ctx: CommandContext,
): Promise<ReadMessage> {
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
  if (format !== 'match-found' && flagsUsed) {
    throw new UsageError(
      `--format ${format} sends the matchmaker's own message: give it as a file (--file) or on stdin (-), not as flags`,
    );
  }
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
  if (format !== 'match-found') {
    // The bridge's own reader: JSON, then no `__proto__` key anywhere, as at its edge.
    const read = readJsonBody(body, () => ({ format: FORMAT_INFO[format].name }));
    if (!read.ok) throw invalidEvent(read.error, FORMAT_INFO[format].name);
    return { kind: 'native', body, json: read.json };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new UsageError(`the event from ${label} is not valid JSON: ${(err as Error).message}`, {
      code: 'INVALID_EVENT',
    });
  }
  return { kind: 'match-found', body, event: validate(MatchFoundV1, json, 'MatchFound') };
}

/** A native message as the bridge's edge will read it with this target's config; refused: exit 2. */
function translated(format: Format, json: unknown, target: Target): { event: MatchFoundV1; notes: string[] } {
  const result = translateForCli(format, json, target.config());
  if (!result.ok) throw invalidEvent(result.error, FORMAT_INFO[format].name, target.configPath);
  return { event: result.match, notes: result.notes };
}

/** A message the bridge would refuse at its edge: every field named (exit 2). */
function invalidEvent(error: MatchEventError, what: string, configPath?: string): UsageError {
  const fields = error.issues.map((i) => i.path || '(root)').join(', ');
  return new UsageError(`invalid ${what} message: ${fields}`, {
    code: 'INVALID_EVENT',
    details: [
      ...error.issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
      ...(configPath === undefined ? [] : [`(translated with the sources of ${configPath})`]),
      'Nothing was sent.',
    ],
    cause: error,
  });
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
  // Own properties (`Object.fromEntries`), so a region named `__proto__` reaches the schema.
  const latencies = Object.fromEntries(
    tail.split(',').map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0)
        throw new UsageError(`--player ${spec}: expected region=ms pairs after ':', got '${part}'`);
      const ms = part.slice(eq + 1).trim();
      const n = Number(ms);
      return [part.slice(0, eq).trim(), ms !== '' && Number.isFinite(n) ? n : ms];
    }),
  );
  return { id: spec.slice(0, colon), latencies };
}

/**
 * `KEY=VALUE` flags as an object of own properties (`Object.fromEntries`), so a key such as
 * `__proto__` is sent as typed and the bridge's schema judges it, as it would from a file.
 */
function pairs(values: readonly string[], option: string): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`${option} ${v}: expected KEY=VALUE`);
      return [v.slice(0, eq), v.slice(eq + 1)];
    }),
  );
}

/**
 * The checks placement makes before it claims a match, through the core's own `resolvePlan`:
 * the profile exists and allows every override. A match placement would refuse is refused
 * here (exit 2), with the reason it would get and the field at fault, and nothing is sent.
 */
function checkPlan(target: Target, event: MatchFoundV1): void {
  const config = target.config();
  try {
    resolvePlan(event, config, sessionIdFor(event.matchId, config.sessionNamespace));
  } catch (err) {
    if (!(err instanceof PermanentPlacementError)) throw err;
    const profile = Object.hasOwn(config.profiles, event.profile)
      ? config.profiles[event.profile]
      : undefined;
    throw new UsageError(`the bridge would refuse match ${event.matchId} (${err.reason}): ${err.message}`, {
      code: 'INVALID_EVENT',
      details: [
        profile === undefined
          ? `configured profiles in ${target.configPath}: ${Object.keys(config.profiles).join(', ')}`
          : `profile ${event.profile} in ${target.configPath} allows overriding: ${allowed(profile.allowOverrides)}`,
        `Nothing was sent. With --force it is sent anyway, and the bridge parks it in the dead-letter queue (${err.reason}).`,
      ],
      cause: err,
    });
  }
}

function allowed(allow: {
  readonly env?: readonly string[] | undefined;
  readonly labels?: readonly string[] | undefined;
  readonly args?: boolean | undefined;
  readonly ttl?: boolean | undefined;
}): string {
  const fields = [
    ...(allow.env ?? []).map((k) => `env.${k}`),
    ...(allow.labels ?? []).map((k) => `labels.${k}`),
    ...(allow.args ? ['args'] : []),
    ...(allow.ttl ? ['ttl'] : []),
  ];
  return fields.length > 0 ? fields.join(', ') : 'nothing';
}

/** What sending MatchEnded would do to the match, for `end-match` without --yes. */
function wouldEnd(record: SessionRecord | undefined): string {
  if (record === undefined) {
    return 'the bridge has no record of it, so it would record it FAILED (ended-before-placed) and a late MatchFound would start no server';
  }
  const where = `${record.state} in ${record.region ?? '?'} on ${record.host ?? '?'}`;
  switch (record.state) {
    case 'READY':
    case 'ENDING':
      return `the bridge would stop and archive session ${record.sessionId} (${where})`;
    case 'PLACING':
      return `the bridge would stop and archive session ${record.sessionId} once it is READY (now PLACING)`;
    default:
      return `it is already ${record.state}, so MatchEnded would change nothing`;
  }
}

function waitMillis(wait: string | boolean | undefined): number | undefined {
  if (wait === undefined || wait === false) return undefined;
  if (wait === true) return 30_000;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--wait: expected seconds, got '${wait}'`);
  return seconds * 1000;
}

function deadLetterSummary(outcome: Extract<MatchOutcome, { kind: 'dead-lettered' }>) {
  const { reason, message, failedAt, messageId } = outcome.letter;
  return { reason, message: message ?? null, failedAt: failedAt ?? null, messageId };
}

function printOutcome(ctx: CommandContext, matchId: string, outcome: MatchOutcome): void {
  if (outcome.kind === 'dead-lettered') {
    const { letter } = outcome;
    writeLine(
      ctx.io.stdout,
      keyValues([
        ['state', 'refused (in the dead-letter queue)'],
        ['reason', letter.reason],
        ['message', letter.message],
        ['failed at', letter.failedAt],
      ]),
    );
    writeLine(
      ctx.io.stderr,
      `The bridge refused ${matchId} before placing it: fix the event and send it again (see \`bridge dlq\`).`,
    );
    return;
  }
  const record = outcome.record;
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
