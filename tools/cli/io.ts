/**
 * What a command may touch of the outside world, so tests run `main` in-process with
 * captured output, a fake stdin and their own environment.
 */

export interface CliWriter {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  /** Read by `send-match -`. */
  readonly stdin: AsyncIterable<string | Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: `logs --follow` ends cleanly on it. */
  readonly signal?: AbortSignal | undefined;
  /** Relative paths (`--file`, `--config`) resolve against this. */
  readonly cwd: string;
}

/** The real process. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal,
    cwd: process.cwd(),
  };
}

export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
