/**
 * The CLI's one error shape: a message for the operator and the exit code a script sees.
 * Commands throw these; `main` prints them and returns the code. Nothing here ever carries
 * the Gameye token (messages are built from names, ids and statuses only).
 */

/** Exit codes, documented in the README (Operator CLI) and `bridge --help`. */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is "no" or "failed": a tag missing, a match unknown, a stop failed. */
  failed: 1,
  /** Bad input: unknown option, invalid match event, bad duration, unreadable file or config. */
  usage: 2,
  /** The stack cannot be reached: no local stack running, deployed stack not found, no credentials. */
  unreachable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliErrorOptions {
  /** Machine-readable kind, printed in `--json` error documents. */
  readonly code: string;
  /** Extra lines shown under the message (field issues, what to do next). */
  readonly details?: readonly string[] | undefined;
  readonly cause?: unknown;
}

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly details: readonly string[];

  constructor(exitCode: ExitCode, message: string, options: CliErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitCode;
    this.code = options.code;
    this.details = options.details ?? [];
  }
}

/** Bad input (exit 2). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options: Partial<CliErrorOptions> = {}) {
    super(EXIT.usage, message, { code: 'BAD_INPUT', ...options });
  }
}

/** The stack is not there (exit 3). */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';
  constructor(message: string, options: Partial<CliErrorOptions> = {}) {
    super(EXIT.unreachable, message, { code: 'STACK_UNREACHABLE', ...options });
  }
}

/** The command ran and failed, or the answer is negative (exit 1). */
export class FailedError extends CliError {
  override readonly name = 'FailedError';
  constructor(message: string, options: Partial<CliErrorOptions> = {}) {
    super(EXIT.failed, message, { code: 'FAILED', ...options });
  }
}

/** Socket-level failures that mean "nothing is listening there" rather than "it said no". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Whether an error (or any of its causes) is a connection failure. */
export function isConnectionFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (e.name === 'GameyeError' && (e as { code?: unknown }).code === 'NETWORK_ERROR') return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionFailure(inner))) return true;
  }
  return false;
}
