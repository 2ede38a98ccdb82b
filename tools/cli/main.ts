/**
 * The operator CLI, `bridge <command>`: commander wiring, global options, and the one place
 * that turns any failure into a message on stderr (plus an error document with `--json`) and
 * an exit code. `main` never calls `process.exit`, so tests run it in-process.
 */
import { Command, CommanderError, Option } from 'commander';
import { registerDlq } from './commands/dlq.ts';
import { registerGameyeCommands } from './commands/gameye.ts';
import { registerSendMatch } from './commands/send-match.ts';
import { registerSessions } from './commands/sessions.ts';
import { registerStop } from './commands/stop.ts';
import { makeContext } from './context.ts';
import { CliError, EXIT, type ExitCode, isConnectionFailure } from './errors.ts';
import { writeJson, writeLine } from './format.ts';
import type { CliIo } from './io.ts';

export type { CliIo } from './io.ts';

const EPILOG = `
Targets:
  By default the CLI talks to the local stack started by \`npm start -- --serve\` (found through
  .local/stack.json, or --stack-file / $BRIDGE_STACK_FILE). With --stack <name> it talks to a
  deployed stack: standard AWS credentials (AWS_PROFILE, AWS_REGION), the stack's CloudFormation
  outputs, and the Gameye token from the stack's secret (or $GAMEYE_TOKEN). The token goes only
  to an https Gameye URL: --gameye-url if given, else the stack's GameyeBaseUrl output, else
  $GAMEYE_BASE_URL (ignored, with a note, when the stack has that output), else production.

Exit codes:
  0  done
  1  the command ran and the answer is no (tag missing, match unknown, stop not finished,
     send-match --wait that did not end READY)
  2  bad input (unknown option, invalid event, bad duration, bad config file), a match the
     bridge would refuse, a Gameye URL that is not https, stop/end-match without --yes
  3  the stack cannot be reached (no local stack running, stack not found, no credentials)`;

export function buildProgram(io: CliIo): { program: Command; exitCode: () => ExitCode } {
  const ctx = makeContext(io);
  const program = new Command('bridge')
    .description('Operate the Gameye match bridge: send matches, inspect sessions, read logs, stop, redrive.')
    .option('--json', 'print one JSON document on stdout instead of tables')
    .addOption(new Option('--stack <name>', 'a deployed CloudFormation stack (default: the local stack)'))
    .option('--stack-file <path>', 'the local stack file (default $BRIDGE_STACK_FILE or .local/stack.json)')
    .option('--config <path>', 'bridge config for aliases and profiles (default: the stack’s own)')
    .option(
      '--gameye-url <url>',
      "deployed mode: Gameye API base URL, https only (default: the stack's GameyeBaseUrl output)",
    )
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  registerSendMatch(program, ctx);
  registerSessions(program, ctx);
  registerGameyeCommands(program, ctx);
  registerStop(program, ctx);
  registerDlq(program, ctx);
  return { program, exitCode: () => ctx.exitCode };
}

/** Run the CLI on `argv` (without `node` and the script) and answer the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { program, exitCode } = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (err) {
    return report(err, io, argv.includes('--json'));
  }
}

function report(err: unknown, io: CliIo, json: boolean): ExitCode {
  if (err instanceof CommanderError) {
    // Commander has printed help or its message already.
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.help' ||
      err.code === 'commander.version'
    ) {
      return EXIT.ok;
    }
    if (json)
      writeJson(io.stdout, { error: { code: 'BAD_INPUT', message: err.message, exitCode: EXIT.usage } });
    return EXIT.usage;
  }
  const error = asCliError(err);
  writeLine(io.stderr, `bridge: ${error.message}`);
  for (const line of error.details) writeLine(io.stderr, `  ${line}`);
  if (json) {
    writeJson(io.stdout, {
      error: { code: error.code, message: error.message, details: error.details, exitCode: error.exitCode },
    });
  }
  return error.exitCode;
}

/** Unexpected failures still get a readable line and a non-zero code, never a stack trace. */
function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (isConnectionFailure(err)) {
    return new CliError(EXIT.unreachable, `cannot connect: ${(err as Error).message}`, {
      code: 'STACK_UNREACHABLE',
    });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  // The Gameye and core errors carry their correlation id as an own field.
  const identifier = Object.hasOwn(e, 'identifier') ? (e as { identifier?: unknown }).identifier : undefined;
  const extra = [
    ...(typeof identifier === 'string' ? [`Gameye identifier: ${identifier}`] : []),
    ...(process.env.BRIDGE_DEBUG ? [e.stack ?? ''] : ['Set BRIDGE_DEBUG=1 for the stack trace.']),
  ];
  return new CliError(EXIT.failed, `${e.name}: ${e.message}`, { code: e.name, details: extra });
}
