/**
 * The one error type of the Gameye adapter. Every failure of a Gameye call (an error answer,
 * a gateway page, a broken socket, a timeout, an abort, a response that breaks the contract)
 * becomes a {@link GameyeError}, and whether it is worth retrying is decided here, once, from
 * explicit lists, so the placement layer never inspects HTTP statuses itself.
 */
import { inspect } from 'node:util';
import type { z } from 'zod';
import { ErrorResponse, type FieldViolation, type GameyeOperation } from './contract.ts';
import { type Scrub, scrubSecrets } from './scrub-secrets.ts';

/**
 * Gameye's own codes arrive verbatim from its error envelope; these are the ones the client
 * produces itself when there is no envelope to read.
 */
export type GameyeClientErrorCode =
  /** The socket failed: refused, reset, closed mid-response. Status 0. */
  | 'NETWORK_ERROR'
  /** No response headers (or, on a stream, no bytes) within the timeout. Status 0. */
  | 'TIMEOUT'
  /** The caller's signal aborted the call. Status 0. */
  | 'ABORTED'
  /** An error status without Gameye's JSON envelope: a load balancer or proxy answered. */
  | 'GATEWAY_ERROR'
  /** A response that does not match the contract (zod issues in `violations`, `cause` = ZodError). */
  | 'INVALID_RESPONSE'
  /** The client was closed before the call. */
  | 'CLIENT_CLOSED';

/** Statuses that are worth another attempt: capacity (420), rate limit (429), server side (5xx). */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 420, 425, 429, 500, 502, 503, 504]);
/** Statuses that will answer the same however often they are asked. */
const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 401, 402, 403, 404, 405, 409, 410, 413, 422]);
/** Client-side failures that say nothing about the request itself, so a retry may succeed. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['NETWORK_ERROR', 'TIMEOUT']);
/** Client-side failures a retry cannot fix. */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['ABORTED', 'INVALID_RESPONSE', 'CLIENT_CLOSED']);

/**
 * Whether a failure is transient. The single place this is decided: 420/429/5xx, socket errors
 * and timeouts retry; 400/401/402/403/404/409/422, caller aborts and contract violations do not.
 * A status on neither list falls back on its class (5xx transient, anything else permanent).
 */
export function isRetryable(status: number, code: string): boolean {
  if (PERMANENT_CODES.has(code)) return false;
  if (status === 0) return RETRYABLE_CODES.has(code);
  if (RETRYABLE_STATUSES.has(status)) return true;
  if (PERMANENT_STATUSES.has(status)) return false;
  return status >= 500 && status <= 599;
}

/** Constructor input of {@link GameyeError}. */
export interface GameyeErrorProps {
  /** The operationId of the failed call, e.g. `session-run`. */
  readonly operation: GameyeOperation;
  /** HTTP status; 0 when no response arrived (network failure, timeout, abort). */
  readonly status: number;
  /** Gameye's code from its envelope, or one of {@link GameyeClientErrorCode}. */
  readonly code: string;
  readonly message: string;
  /** Gameye's `details`, a gateway's body excerpt, or a short explanation. */
  readonly details?: string | undefined;
  /** Gameye's correlation id: quote it to Gameye support and in every log line. */
  readonly identifier?: string | undefined;
  /** Field violations: Gameye's on a 422, the zod issue paths on INVALID_RESPONSE. */
  readonly violations?: readonly FieldViolation[] | undefined;
  /** The request path (without query) the call went to, for logs. Never holds headers. */
  readonly path?: string | undefined;
  /** How many HTTP attempts the call made before giving up. */
  readonly attempts?: number | undefined;
  readonly cause?: unknown;
}

/**
 * A failed Gameye call. `retryable` says whether the same request may succeed later;
 * `status` is 0 when no HTTP response arrived. Carries no request headers, so the bearer
 * token cannot leak through it, its `toJSON()` or `util.inspect`.
 */
export class GameyeError extends Error {
  override readonly name = 'GameyeError';
  readonly operation: GameyeOperation;
  readonly status: number;
  readonly code: string;
  readonly details: string | undefined;
  readonly identifier: string | undefined;
  readonly violations: readonly FieldViolation[];
  readonly path: string | undefined;
  readonly retryable: boolean;
  /** Mutable so the retry loop can record the final count on the error it rethrows. */
  attempts: number;

  constructor(props: GameyeErrorProps) {
    super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
    this.operation = props.operation;
    this.status = props.status;
    this.code = props.code;
    this.details = props.details;
    this.identifier = props.identifier;
    this.violations = props.violations ?? [];
    this.path = props.path;
    this.attempts = props.attempts ?? 1;
    this.retryable = isRetryable(props.status, props.code);
  }

  /** A flat, serialisable record for structured logs (Powertools Logger calls this). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      status: this.status,
      code: this.code,
      retryable: this.retryable,
      attempts: this.attempts,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.identifier === undefined ? {} : { identifier: this.identifier }),
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.violations.length === 0 ? {} : { violations: this.violations }),
      ...(this.cause === undefined ? {} : { cause: describeCause(this.cause) }),
    };
  }

  /** `GameyeError [session-run 409 CONFLICT] message (identifier …)`: one readable line. */
  override toString(): string {
    const id = this.identifier === undefined ? '' : ` (identifier ${this.identifier})`;
    return `${this.name} [${this.operation} ${this.status} ${this.code}] ${this.message}${id}`;
  }

  /**
   * Inspection shows the same fields as `toJSON()` plus the stack; undici errors in `cause`
   * are reduced to name/code/message so nothing request-shaped is ever printed.
   */
  [inspect.custom](): string {
    return `${this.stack ?? this.toString()}\n${inspect(this.toJSON(), { depth: 4, breakLength: 100 })}`;
  }
}

/** The cause as a small record: enough to debug, never a vendor object with request state. */
function describeCause(cause: unknown): Record<string, unknown> | string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, message: cause.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return String(cause);
}

/** Gateway bodies are HTML pages; keep the start, enough to recognise the page in a log. */
export const BODY_EXCERPT_CHARS = 200;

/**
 * Turn a non-2xx answer into a {@link GameyeError}: Gameye's envelope when the body is one,
 * otherwise a GATEWAY_ERROR carrying the start of whatever the gateway sent. Every text taken
 * from the body goes through `scrub` first (the whole body before the excerpt is cut, so a
 * credential cut in half at the edge cannot survive as its first half).
 */
export function errorFromResponse(
  operation: GameyeOperation,
  path: string,
  status: number,
  contentType: string | undefined,
  body: string,
  scrub: Scrub = scrubSecrets,
): GameyeError {
  const envelope = parseEnvelope(body);
  if (envelope) {
    return new GameyeError({
      operation,
      status,
      code: envelope.code,
      message: envelope.message === '' ? `Gameye answered ${status}` : scrub(envelope.message),
      details: scrub(envelope.details),
      identifier: envelope.identifier,
      violations: envelope.violations?.map((v) => ({
        field: scrub(v.field),
        description: scrub(v.description),
      })),
      path,
    });
  }
  const excerpt = scrub(body).slice(0, BODY_EXCERPT_CHARS).trim();
  const type = contentType === undefined ? '' : ` (${scrub(contentType)})`;
  return new GameyeError({
    operation,
    status,
    code: 'GATEWAY_ERROR',
    message: `Gameye answered ${status} without its error envelope${type}`,
    details: excerpt === '' ? undefined : excerpt,
    path,
  });
}

function parseEnvelope(body: string): ErrorResponse | undefined {
  if (body === '' || body[0] !== '{') return undefined;
  try {
    const parsed = ErrorResponse.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 2xx answer whose body breaks the contract: the zod issue paths become violations. A JSON
 * parser's message quotes a few characters of the body (V8: `Unexpected token 'e', "emulator-s"...
 * is not valid JSON`), too few for the scrubber to recognise a credential, so the quote is cut
 * off, and the SyntaxError kept as `cause` is a copy without it.
 */
export function invalidResponse(
  operation: GameyeOperation,
  path: string,
  status: number,
  error: z.ZodError | SyntaxError,
  scrub: Scrub = scrubSecrets,
): GameyeError {
  let cause: z.ZodError | SyntaxError;
  let violations: FieldViolation[];
  if (error instanceof SyntaxError) {
    cause = new SyntaxError(scrub(withoutQuote(error.message)));
    violations = [{ field: '(body)', description: `not JSON: ${cause.message}` }];
  } else {
    cause = error;
    violations = error.issues.map((issue) => ({
      field: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
      description: scrub(issue.message),
    }));
  }
  const summary = violations
    .slice(0, 3)
    .map((v) => `${v.field}: ${v.description}`)
    .join('; ');
  return new GameyeError({
    operation,
    status,
    code: 'INVALID_RESPONSE',
    message: `Gameye's ${operation} response does not match the contract: ${summary}`,
    violations,
    path,
    cause,
  });
}

/** A JSON parser's message up to its quote of the body: `Unexpected token 'e'`. */
function withoutQuote(message: string): string {
  return (message.split('"')[0] ?? '').replace(/[,\s]+$/, '') || 'the body is not valid JSON';
}
