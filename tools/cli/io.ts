/**
 * What a command may touch of the outside world, so tests run `main` in-process with
 * captured output, a fake stdin, their own environment and their own clock.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface CliWriter {
  write(chunk: string): unknown;
}

/** Time, for the commands that wait (`send-match --wait`); tests pass one they drive. */
export interface CliClock {
  now(): number;
  /** Resolve after `ms`, or as soon as `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  /** Read by `send-match -`. */
  readonly stdin: AsyncIterable<string | Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C, or when stdout's reader goes away: `logs --follow` ends cleanly on it. */
  readonly signal?: AbortSignal | undefined;
  /** Relative paths (`--file`, `--config`) resolve against this. */
  readonly cwd: string;
  /** @default the system clock */
  readonly clock?: CliClock | undefined;
}

export const systemClock: CliClock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    try {
      await delay(ms, undefined, signal ? { signal } : {});
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  },
};

/** The real process. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal,
    cwd: process.cwd(),
    clock: systemClock,
  };
}

/**
 * A reader that went away (`bridge --help | head -2`) is not a failure of the command: a
 * write to a closed pipe fails with EPIPE, which Node raises as an 'error' event that would
 * crash the process with a stack trace. Ignore it (later writes are dropped, as the stream is
 * destroyed) and call `closed` so a command that would write for ever (`logs --follow`) ends.
 * Any other stream error still crashes: it is not something to hide.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream, closed: () => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed();
  });
}

export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
