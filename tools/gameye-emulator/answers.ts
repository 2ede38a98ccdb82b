/**
 * How the emulator writes its answers: success bodies under the media type Gameye documents
 * for the operation, errors as Gameye's envelope with a fresh `identifier`, and request
 * bodies read and checked by the contract's zod schemas.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { formatPath } from '../../lambdas/core/issues.ts';
import type { ErrorResponse, FieldViolation, GameyeOperation } from '../../lambdas/gameye/contract.ts';
import { ERROR_MEDIA_TYPE, OPERATION_MEDIA_TYPES } from '../../lambdas/gameye/media-types.ts';
import { EmulatorHttpError } from './http-error.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** A media type as sent in `Content-Type`: text and JSON say their charset. */
function withCharset(mediaType: string): string {
  return mediaType === 'application/json' || mediaType.startsWith('text/')
    ? `${mediaType}; charset=utf-8`
    : mediaType;
}

/** The `Content-Type` of an operation's success answer; undefined when it has no body. */
export function successContentType(operation: GameyeOperation): string | undefined {
  const type = OPERATION_MEDIA_TYPES[operation].success;
  return type === undefined ? undefined : withCharset(type);
}

/** The `Content-Type` of every error envelope (and of the admin API's answers). */
export const ERROR_CONTENT_TYPE: string = withCharset(ERROR_MEDIA_TYPE);

/** Answer JSON (errors and the admin API). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': ERROR_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answer an operation's success with its JSON body, under the operation's documented type. */
export function sendSuccess(
  res: ServerResponse,
  operation: GameyeOperation,
  status: number,
  body: unknown,
): void {
  const type = successContentType(operation);
  if (type !== ERROR_CONTENT_TYPE) throw new TypeError(`${operation} does not answer JSON`);
  sendJson(res, status, body);
}

/** Answer an operation's bodiless success (204). */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** Answer Gameye's error envelope for `error`, stamped with the virtual `now`. */
export function sendError(res: ServerResponse, path: string, error: EmulatorHttpError, now: number): void {
  const violations = error instanceof InvalidBodyError ? error.violations : undefined;
  const body: ErrorResponse = {
    statusCode: error.statusCode,
    code: error.code,
    message: error.message,
    details: error.details,
    path,
    identifier: randomUUID(),
    timestamp: new Date(now).toISOString(),
    ...(violations ? { violations } : {}),
  };
  sendJson(res, error.statusCode, body);
}

/** Gameye's field violations from zod issues (`labels.foo`, one per unrecognized key). */
export function violationsOf(error: z.ZodError): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const issue of error.issues) {
    const base = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: base === '' ? key : `${base}.${key}`, description: 'unrecognized property' });
      }
    } else {
      out.push({ field: base === '' ? '(body)' : base, description: issue.message });
    }
  }
  return out;
}

/**
 * A request body as JSON (at most 1 MiB; 413 above, 422 when it is not JSON). An empty body
 * is `undefined` when `allowEmpty`, else not JSON.
 */
export async function readJsonBody(req: IncomingMessage, allowEmpty = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new EmulatorHttpError(413, 'PAYLOAD_TOO_LARGE', 'the body exceeds 1 MiB');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '' && allowEmpty) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'the body is not valid JSON');
  }
}

/** A request body failing its schema: 422 with Gameye's violations. */
export class InvalidBodyError extends EmulatorHttpError {
  readonly violations: FieldViolation[];
  constructor(message: string, error: z.ZodError) {
    super(422, 'UNPROCESSABLE_ENTITY', message);
    this.name = 'InvalidBodyError';
    this.violations = violationsOf(error);
  }
}

/** Read the body and check it with `schema`; throws {@link InvalidBodyError} naming every bad field. */
export async function parseBody<T>(
  req: IncomingMessage,
  schema: z.ZodType<T>,
  message = 'the request body is invalid',
  allowEmpty = false,
): Promise<T> {
  const result = schema.safeParse(await readJsonBody(req, allowEmpty));
  if (!result.success) throw new InvalidBodyError(message, result.error);
  return result.data;
}
