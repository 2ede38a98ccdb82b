/**
 * `bridge stop <matchId>`: stop a match's session and archive it exactly as the bridge does
 * when MatchEnded arrives: the reaper core's `endMatch` over the reaper's own composition
 * root (`reaperDeps`), so the record goes ENDING → ENDED with the same steps, the same S3
 * keys, the same SessionEnded event. A step that fails leaves the record ENDING and the
 * reaper's next scheduled run resumes it.
 */
import type { Command } from 'commander';
import { TransientPlacementError } from '../../../lambdas/core/errors.ts';
import type { EndMatchOutcome } from '../../../lambdas/core/reaper/end-match.ts';
import type { ReaperDeps, ReaperObserver } from '../../../lambdas/core/reaper/reaper-context.ts';
import type { SessionRecord } from '../../../lambdas/core/session-record.ts';
import type { CommandContext } from '../context.ts';
import { FailedError, UsageError } from '../errors.ts';
import { keyValues, writeJson, writeLine } from '../format.ts';
import { getRecord, requireRecord } from '../records.ts';
import type { Target } from '../target.ts';

/** One Gameye call, or an idle gap in an artifact stream (the reaper handler uses the same). */
const GAMEYE_CALL_MS = 15_000;

export function registerStop(program: Command, ctx: CommandContext): void {
  program
    .command('stop')
    .summary("stop a match's session and archive it, as the bridge does on MatchEnded")
    .description(
      "Stop the match's Gameye session and archive its artifacts and logs to S3, through the same\n" +
        'code the bridge runs on MatchEnded: the record goes ENDING → ENDED and SessionEnded is\n' +
        'published. Without --yes, only shows what would be stopped. A step that fails leaves the\n' +
        "record ENDING; the reaper's next run finishes it. A match still PLACING cannot be stopped yet.",
    )
    .argument('<matchId>', 'the match id')
    .option('-y, --yes', 'really stop it (without: show what would be stopped)')
    .action(async (matchId: string, options: { yes?: boolean }, command: Command) => {
      await ctx.withTarget(command, async (target, globals) => {
        const before = await requireRecord(target, matchId);
        if (before.state === 'ENDED' || before.state === 'FAILED') {
          const message = `match ${matchId} is already ${before.state}: nothing to stop`;
          if (globals.json)
            writeJson(ctx.io.stdout, { matchId, stopped: false, state: before.state, message });
          else writeLine(ctx.io.stdout, `${message}.`);
          return 0;
        }
        if (before.state === 'PLACING') {
          throw new FailedError(`match ${matchId} is still PLACING: its session cannot be stopped yet`, {
            code: 'NOT_READY',
            details: [
              'Try again in a few seconds, or send `bridge end-match` and the bridge stops it once READY.',
            ],
          });
        }
        if (!options.yes) {
          const what = `${before.sessionId} of match ${matchId} (${before.state} in ${before.region ?? '?'} on ${before.host ?? '?'})`;
          throw new UsageError(`not stopped: add --yes to stop and archive session ${what}`, {
            code: 'NOT_CONFIRMED',
          });
        }
        const deferred: string[] = [];
        const missing: string[] = [];
        const deps = await coreDeps(target, {
          ended() {},
          deferred(_record, step, error) {
            deferred.push(`${step}: ${error instanceof Error ? error.message : String(error)}`);
          },
          missing(_record, path) {
            missing.push(path);
          },
          orphan() {},
        });
        // The reaper's modules (Powertools, S3 upload) load only when something is stopped.
        const { endMatch } = await import('../../../lambdas/core/reaper/end-match.ts');
        let outcome: EndMatchOutcome;
        try {
          outcome = await endMatch(JSON.stringify({ type: 'MatchEnded', version: 1, matchId }), deps);
        } catch (err) {
          if (err instanceof TransientPlacementError) {
            throw new FailedError(`could not stop ${matchId} now: ${err.message}`, {
              code: 'RETRY_LATER',
              details: ['Nothing was lost; run the command again, or let the reaper finish it.'],
              cause: err,
            });
          }
          throw err;
        }
        const after = await getRecord(target, matchId);
        const finished = outcome.kind === 'ending' ? outcome.finished : undefined;
        if (globals.json) {
          writeJson(ctx.io.stdout, { matchId, outcome, record: after ?? null, deferred, missing });
        } else {
          printResult(ctx, matchId, after, finished, deferred, missing);
        }
        return after?.state === 'ENDED' ? 0 : 1;
      });
    });
}

async function coreDeps(target: Target, observer: ReaperObserver): Promise<ReaperDeps> {
  const [{ Logger }, { reaperDeps }] = await Promise.all([
    import('@aws-lambda-powertools/logger'),
    import('../../../lambdas/runtime/reaper-deps.ts'),
  ]);
  const access = await target.gameyeAccess();
  const config = target.config();
  const handlerDeps = reaperDeps({
    env: {
      tableName: target.resources.tableName,
      topicArn: target.resources.topicArn,
      archiveBucketName: target.resources.archiveBucket,
      gameyeBaseUrl: access.baseUrl,
      token: { token: access.token },
      config,
    },
    clients: { dynamodb: target.clients.dynamodb, sns: target.clients.sns, s3: target.clients.s3 },
    logger: new Logger({ serviceName: 'bridge-cli', logLevel: 'SILENT' }),
  });
  return {
    config: handlerDeps.config,
    store: handlerDeps.store,
    index: handlerDeps.index,
    archive: handlerDeps.archive,
    archivePrefix: handlerDeps.archivePrefix,
    publisher: handlerDeps.publisher,
    clock: handlerDeps.clock,
    gameye: await handlerDeps.gameyeFor(GAMEYE_CALL_MS, () => {}),
    observer,
  };
}

function printResult(
  ctx: CommandContext,
  matchId: string,
  record: SessionRecord | undefined,
  finished: string | undefined,
  deferred: readonly string[],
  missing: readonly string[],
): void {
  if (record?.state === 'ENDED') {
    writeLine(ctx.io.stdout, `Stopped and archived match ${matchId}.`);
  } else {
    writeLine(
      ctx.io.stdout,
      `Match ${matchId} is ${record?.state ?? 'unknown'} (${finished ?? 'not finished'}): the reaper's next run resumes it.`,
    );
  }
  writeLine(
    ctx.io.stdout,
    keyValues([
      ['session', record?.sessionId],
      ['state', record?.state],
      ['reason', record?.endReason],
      ['stopped at', record?.stoppedAt],
      ['archived', record?.archive?.files.map((f) => `${f.path} (${f.size} B)`).join(', ')],
      [
        'missing',
        missing.length > 0 ? missing.join(', ') : record?.archive?.missing.map((m) => m.path).join(', '),
      ],
      ['manifest', record?.archive?.manifestKey],
    ]),
  );
  for (const d of deferred) writeLine(ctx.io.stderr, `deferred: ${d}`);
}
