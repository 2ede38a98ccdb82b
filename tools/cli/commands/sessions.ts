/**
 * `bridge sessions` (the bridge's records, filtered like Gameye's session list) and
 * `bridge session <matchId>` (one record next to Gameye's live view of its session).
 */
import type { Command } from 'commander';
import { ACTIVE_STATES, type SessionRecord, SessionState } from '../../../lambdas/core/session-record.ts';
import { type GameyeClient, GameyeError, type Session } from '../../../lambdas/gameye/index.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { age, keyValues, parseDuration, table, writeJson, writeLine } from '../format.ts';
import { listRecords, requireRecord } from '../records.ts';
import { locationOf } from '../regions.ts';

interface SessionsOptions {
  readonly region?: string;
  readonly status?: string;
  readonly image?: string;
  readonly profile?: string;
  readonly olderThan?: string;
  readonly all?: boolean;
  readonly limit?: string;
}

export function registerSessions(program: Command, ctx: CommandContext): void {
  program
    .command('sessions')
    .summary('list session records (active by default), filtered like Gameye')
    .description(
      'List the bridge’s session records from DynamoDB. Active states (PLACING, READY, ENDING) are\n' +
        'read from the sparse active index, one query per shard, so this is cheap at any size.\n' +
        'ENDED and FAILED records are not in that index: asking for them (--status ENDED, --all)\n' +
        'scans the table, which is fine from a terminal but reads every item.',
    )
    .option('--region <name>', 'Gameye location, or a matchmaker region alias from the config')
    .option(
      '--status <states>',
      'comma-separated: PLACING,READY,ENDING,ENDED,FAILED (default: the active ones)',
    )
    .option('--image <name>', 'image name, or image:version')
    .option('--profile <name>', 'bridge profile')
    .option('--older-than <duration>', 'created more than this long ago: 90s, 10m, 2h, 1d')
    .option('--all', 'every state, ENDED and FAILED included (scans the table)')
    .option('--limit <n>', 'show at most n (oldest first)')
    .addHelpText(
      'after',
      '\nExamples:\n  bridge sessions --older-than 2h\n  bridge sessions --status FAILED --json | jq .sessions[].failure',
    )
    .action(async (options: SessionsOptions, command: Command) => {
      const states = parseStates(options);
      const olderThan =
        options.olderThan === undefined ? undefined : parseDuration(options.olderThan, '--older-than');
      const limit = parseLimit(options.limit);
      await ctx.withTarget(command, async (target, globals) => {
        const config = target.config();
        const now = Date.now();
        const listing = await listRecords(
          target,
          {
            states,
            createdBefore: olderThan === undefined ? undefined : new Date(now - olderThan).toISOString(),
          },
          config.activeShards,
        );
        const region = options.region === undefined ? undefined : locationOf(config, options.region);
        const [image, version] = splitImage(options.image);
        const shown = listing.records
          .filter((r) => region === undefined || r.region === region || lastAttemptRegion(r) === region)
          .filter((r) => image === undefined || r.image === image)
          .filter((r) => version === undefined || r.imageVersion === version)
          .filter((r) => options.profile === undefined || r.profile === options.profile)
          .slice(0, limit);
        for (const bad of listing.invalid) writeLine(ctx.io.stderr, `warning: invalid record ${bad}`);
        if (globals.json) {
          writeJson(ctx.io.stdout, {
            count: shown.length,
            source: listing.source,
            invalid: listing.invalid,
            sessions: shown,
          });
          return 0;
        }
        if (shown.length === 0) {
          writeLine(ctx.io.stdout, `No ${[...states].join('/')} sessions match in ${target.label}.`);
          return 0;
        }
        writeLine(
          ctx.io.stdout,
          table(
            ['MATCH', 'STATE', 'AGE', 'REGION', 'HOST', 'PORTS', 'IMAGE', 'PROFILE', 'PLAYERS', 'NOTE'],
            shown.map((r) => [
              r.matchId,
              r.state,
              age(r.createdAt, now),
              r.region ?? lastAttemptRegion(r),
              r.host,
              ports(r),
              r.imageVersion ? `${r.image}:${r.imageVersion}` : r.image,
              r.profile,
              r.players.length,
              note(r),
            ]),
          ),
        );
        const scanned = listing.source === 'index' ? '' : ' (ENDED/FAILED read by a table scan)';
        writeLine(ctx.io.stdout, `${shown.length} session(s)${scanned}.`);
        return 0;
      });
    });

  program
    .command('session')
    .summary("one match: the bridge's record and Gameye's live state")
    .description(
      "Show a match's session record from DynamoDB and, from Gameye (describe session), what its\n" +
        'server is doing now: status, players joined, host and ports.',
    )
    .argument('<matchId>', 'the match id')
    .action(async (matchId: string, _options: unknown, command: Command) => {
      await ctx.withTarget(command, async (target, globals) => {
        const record = await requireRecord(target, matchId);
        const live = await describe(await target.gameye(), record.sessionId);
        if (globals.json) {
          writeJson(ctx.io.stdout, { record, gameye: live.session ?? null, gameyeError: live.error ?? null });
          return 0;
        }
        const now = Date.now();
        writeLine(
          ctx.io.stdout,
          keyValues([
            ['match', record.matchId],
            ['session', record.sessionId],
            ['state', `${record.state} (v${record.version})`],
            ['profile', record.profile],
            ['image', record.imageVersion ? `${record.image}:${record.imageVersion}` : record.image],
            ['region', record.region ?? lastAttemptRegion(record)],
            ['host', record.host],
            ['ports', ports(record)],
            ['players', record.players.map((p) => p.id).join(', ')],
            ['created', `${record.createdAt} (${age(record.createdAt, now)} ago)`],
            ['ready', record.readyAt],
            ['ended', record.endedAt],
            ['note', note(record)],
            ['attempts', record.attempts.map((a) => `${a.region}:${a.outcome}`).join(' ')],
            ['archive', record.archive?.manifestKey],
          ]),
        );
        writeLine(ctx.io.stdout, 'Gameye now:');
        if (live.session) {
          const s = live.session;
          writeLine(
            ctx.io.stdout,
            keyValues([
              ['status', s.status],
              ['location', s.location],
              ['image', `${s.image}:${s.tag}`],
              ['host', s.host],
              [
                'ports',
                Object.entries(s.port)
                  .map(([k, v]) => `${k}→${v}`)
                  .join(' '),
              ],
              [
                'players',
                `${s.players.joinedCount}${s.players.joined.length ? ` (${s.players.joined.join(', ')})` : ''}`,
              ],
              [
                'started',
                `${new Date(s.created).toISOString()} (${age(new Date(s.created).toISOString(), now)} ago)`,
              ],
            ]),
          );
        } else {
          writeLine(ctx.io.stdout, `  ${live.error?.message ?? 'unknown'}`);
        }
        return 0;
      });
    });
}

interface Live {
  readonly session?: Session;
  readonly error?: { readonly status: number; readonly code: string; readonly message: string };
}

async function describe(gameye: GameyeClient, sessionId: string): Promise<Live> {
  try {
    return { session: await gameye.describeSession(sessionId) };
  } catch (err) {
    if (!(err instanceof GameyeError) || err.code === 'NETWORK_ERROR') throw err;
    const message =
      err.status === 404
        ? 'Gameye does not know this session (never started, or stopped and gone)'
        : `Gameye answered ${err.status || err.code}: ${err.message}${err.identifier ? ` (identifier ${err.identifier})` : ''}`;
    return { error: { status: err.status, code: err.code, message } };
  }
}

function parseStates(options: SessionsOptions): ReadonlySet<SessionState> {
  if (options.all && options.status) throw new UsageError('--all and --status: give one or the other');
  if (options.all) return new Set(SessionState.options);
  if (options.status === undefined) return ACTIVE_STATES;
  const states = new Set<SessionState>();
  for (const raw of options.status.split(',')) {
    const parsed = SessionState.safeParse(raw.trim().toUpperCase());
    if (!parsed.success) {
      throw new UsageError(
        `--status: unknown state '${raw.trim()}'; expected ${SessionState.options.join(', ')}`,
      );
    }
    states.add(parsed.data);
  }
  return states;
}

function parseLimit(limit: string | undefined): number | undefined {
  if (limit === undefined) return undefined;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit: expected a positive integer, got '${limit}'`);
  return n;
}

function splitImage(image: string | undefined): [string | undefined, string | undefined] {
  if (image === undefined) return [undefined, undefined];
  const colon = image.indexOf(':');
  return colon === -1 ? [image, undefined] : [image.slice(0, colon), image.slice(colon + 1)];
}

function lastAttemptRegion(r: SessionRecord): string | undefined {
  return r.attempts.at(-1)?.region;
}

function ports(r: SessionRecord): string | undefined {
  return r.ports?.map((p) => `${p.host}/${p.protocol}`).join(' ');
}

function note(r: SessionRecord): string | undefined {
  if (r.failure) return `${r.failure.reason}: ${r.failure.message}`.slice(0, 80);
  if (r.endReason) return `stop: ${r.endReason}`;
  if (r.state === 'PLACING') return `${r.attempts.length} attempt(s)`;
  return undefined;
}
