/**
 * Commands that ask Gameye directly: `logs`, `locations`, `check-version`.
 */
import type { Command } from 'commander';
import { GameyeError } from '../../../lambdas/gameye/index.ts';
import type { CommandContext } from '../context.ts';
import { FailedError, UsageError } from '../errors.ts';
import { table, writeJson, writeLine } from '../format.ts';
import { requireRecord } from '../records.ts';
import { aliasesOf, configuredLocations, preferenceOf } from '../regions.ts';

export function registerGameyeCommands(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .summary("a match's server output, streamed from Gameye")
    .description(
      "Print the game server's output for a match, streamed from Gameye as it arrives.\n" +
        'With --follow, keep printing new lines until the server stops or you press Ctrl-C.\n' +
        'With --json: one document ({ matchId, sessionId, lines }); with --json --follow, one JSON\n' +
        'object per line ({ line }) so a script can read the stream as it comes.',
    )
    .argument('<matchId>', 'the match id')
    .option('-f, --follow', 'keep streaming new lines (Ctrl-C to stop)')
    .action(async (matchId: string, options: { follow?: boolean }, command: Command) => {
      await ctx.withTarget(command, async (target, globals) => {
        const record = await requireRecord(target, matchId);
        const gameye = await target.gameye();
        const follow = options.follow === true;
        const lines: string[] = [];
        try {
          for await (const line of gameye.logs(record.sessionId, { follow, signal: ctx.io.signal })) {
            if (!globals.json) ctx.io.stdout.write(`${line}\n`);
            else if (follow) ctx.io.stdout.write(`${JSON.stringify({ line })}\n`);
            else lines.push(line);
          }
        } catch (err) {
          if (err instanceof GameyeError && err.status === 404) {
            throw new FailedError(`Gameye has no logs for match ${matchId} (session ${record.sessionId})`, {
              code: 'NOT_FOUND',
              details: [
                `The record is ${record.state}; a session gone from Gameye has its logs in the archive.`,
              ],
            });
          }
          throw err;
        }
        if (globals.json && !follow)
          writeJson(ctx.io.stdout, { matchId, sessionId: record.sessionId, lines });
        return 0;
      });
    });

  program
    .command('locations')
    .summary('where Gameye can host an image now, with the configured aliases')
    .description(
      'Ask Gameye which locations can host <image> right now (GET /available-location) and show,\n' +
        'next to each, the matchmaker region names the bridge config aliases to it and its\n' +
        'preference rank. Configured locations Gameye cannot host now are listed as unavailable.',
    )
    .argument('<image>', 'the Gameye image name')
    .action(async (image: string, _options: unknown, command: Command) => {
      await ctx.withTarget(command, async (target, globals) => {
        const config = target.config();
        const gameye = await target.gameye();
        const available = await gameye.availableLocations(image);
        const availableIds = new Set(available.map((l) => l.id));
        const rows = [
          ...available.map((l) => ({ location: l.id, available: true, ips: l.ips })),
          ...configuredLocations(config)
            .filter((id) => !availableIds.has(id))
            .map((id) => ({ location: id, available: false, ips: [] as string[] })),
        ].map((row) => ({
          ...row,
          aliases: aliasesOf(config, row.location),
          preference: preferenceOf(config, row.location),
        }));
        if (globals.json) {
          writeJson(ctx.io.stdout, { image, locations: rows });
          return 0;
        }
        writeLine(
          ctx.io.stdout,
          table(
            ['LOCATION', 'AVAILABLE', 'ALIASES', 'PREFERENCE', 'PING IPS'],
            rows.map((r) => [r.location, r.available, r.aliases.join(', '), r.preference, r.ips.join(' ')]),
          ),
        );
        writeLine(
          ctx.io.stdout,
          `${available.length} location(s) can host ${image} now` +
            (rows.length > available.length
              ? `; ${rows.length - available.length} configured location(s) cannot.`
              : '.'),
        );
        return 0;
      });
    });

  program
    .command('check-version')
    .summary('is an image tag in every configured region (rollout check; exit 1 when not)')
    .description(
      'Check that <image>:<version> exists in every region the bridge config places in (the\n' +
        'targets of regionAliases and the regionPreference list). Run it before pinning a profile\n' +
        'to a new version. Exit 0 when every region has it, 1 when any lacks it.',
    )
    .argument('<image>', 'the Gameye image name')
    .argument('<version>', 'the tag, e.g. 1.5.0')
    .action(async (image: string, version: string, _options: unknown, command: Command) => {
      await ctx.withTarget(command, async (target, globals) => {
        const config = target.config();
        const regions = configuredLocations(config);
        if (regions.length === 0) {
          throw new UsageError(`${target.configPath} names no regions (regionAliases, regionPreference)`);
        }
        const gameye = await target.gameye();
        const results = await Promise.all(
          regions.map(async (region) => {
            try {
              return { region, present: await gameye.tagExists(region, image, version) };
            } catch (err) {
              // Gameye says 404 for a region or image it does not know: the tag is not there.
              if (err instanceof GameyeError && err.status === 404) {
                return { region, present: false, note: 'unknown region or image at Gameye' };
              }
              throw err;
            }
          }),
        );
        const missing = results.filter((r) => !r.present).map((r) => r.region);
        if (globals.json) {
          writeJson(ctx.io.stdout, {
            image,
            version,
            ready: missing.length === 0,
            missing,
            regions: results.map((r) => ({ ...r, aliases: aliasesOf(config, r.region) })),
          });
        } else {
          writeLine(
            ctx.io.stdout,
            table(
              ['REGION', 'ALIASES', 'HAS TAG', 'NOTE'],
              results.map((r) => [r.region, aliasesOf(config, r.region).join(', '), r.present, r.note]),
            ),
          );
          writeLine(
            ctx.io.stdout,
            missing.length === 0
              ? `${image}:${version} is in all ${regions.length} configured regions.`
              : `${image}:${version} is missing in ${missing.length} of ${regions.length} regions: ${missing.join(', ')}.`,
          );
        }
        return missing.length === 0 ? 0 : 1;
      });
    });
}
