/**
 * What every command action gets: the parsed global options, the I/O, and `withTarget`,
 * which opens the stack, runs the command, translates failures and always closes clients.
 */
import type { Command } from 'commander';
import type { ExitCode } from './errors.ts';
import type { CliIo } from './io.ts';
import { openTarget, type Target, type TargetOptions } from './target.ts';

export interface GlobalOptions extends TargetOptions {
  readonly json: boolean;
}

export interface CommandContext {
  readonly io: CliIo;
  /** The global options as given on this command line. */
  globals(command: Command): GlobalOptions;
  /** Open the stack, run `fn`, close the stack. `fn` answers the exit code (0 when void). */
  withTarget(
    command: Command,
    fn: (target: Target, globals: GlobalOptions) => Promise<ExitCode | undefined>,
  ): Promise<void>;
  /** The exit code the process ends with. */
  exitCode: ExitCode;
}

export function makeContext(io: CliIo): CommandContext {
  const ctx: CommandContext = {
    io,
    exitCode: 0,
    globals(command) {
      const o = command.optsWithGlobals<{
        json?: boolean;
        stack?: string;
        stackFile?: string;
        config?: string;
        gameyeUrl?: string;
      }>();
      return {
        json: o.json === true,
        stack: o.stack,
        stackFile: o.stackFile,
        config: o.config,
        gameyeUrl: o.gameyeUrl,
      };
    },
    async withTarget(command, fn) {
      const globals = ctx.globals(command);
      const target = await openTarget(globals, io);
      try {
        ctx.exitCode = (await fn(target, globals)) ?? 0;
      } catch (err) {
        throw target.explain(err);
      } finally {
        await target.close();
      }
    },
  };
  return ctx;
}

/** Collect a repeatable option's values (`--player a --player b`). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}
