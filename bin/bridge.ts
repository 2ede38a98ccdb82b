#!/usr/bin/env node
/**
 * `npx bridge <command>`: the operator CLI (tools/cli). Ctrl-C aborts the running command
 * (`logs --follow` ends cleanly); a second Ctrl-C exits at once. A reader that closes the
 * pipe early (`npx bridge --help | head -2`) ends the command quietly.
 */
import { endQuietlyOnClosedPipe, processIo } from '../tools/cli/io.ts';
import { main } from '../tools/cli/main.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});
endQuietlyOnClosedPipe(process.stdout, () => interrupt.abort());
// Nobody reads stderr any more: the command goes on, its messages go nowhere.
endQuietlyOnClosedPipe(process.stderr, () => {});

process.exitCode = await main(process.argv.slice(2), processIo(interrupt.signal));
