/**
 * The media types of every Gameye operation, as Gameye's OpenAPI description (v1.2.1)
 * documents them: one table, read by the client to build each request's `Accept` and
 * `Content-Type`, and by the emulator to negotiate and label its answers. The contract tests
 * compare this table with the spec itself.
 */
import type { GameyeOperation } from './contract.ts';

/** Every error answer Gameye documents is its JSON envelope. */
export const ERROR_MEDIA_TYPE = 'application/json';

/** What one operation sends and answers. */
export interface OperationMediaTypes {
  /** The request body's media type; undefined when the operation takes no body. */
  readonly request: string | undefined;
  /** The success answer's media type; undefined when success has no body (204). */
  readonly success: string | undefined;
}

const JSON_BODY: OperationMediaTypes = { request: 'application/json', success: 'application/json' };
const JSON_ANSWER: OperationMediaTypes = { request: undefined, success: 'application/json' };

/** Per operationId. `artifacts` answers a `.tar.gz` labelled `application/x-tar`, as Gameye does. */
export const OPERATION_MEDIA_TYPES: Readonly<Record<GameyeOperation, OperationMediaTypes>> = Object.freeze({
  'session-run': JSON_BODY,
  'session-list': JSON_ANSWER,
  'describe-session': JSON_ANSWER,
  'session-stop': { request: undefined, success: undefined },
  'join-session': JSON_BODY,
  'leave-session': JSON_BODY,
  artifacts: { request: undefined, success: 'application/x-tar' },
  'get-available-locations': JSON_ANSWER,
  'tag-exists': JSON_ANSWER,
  'stream-logs': { request: undefined, success: 'text/plain' },
});

/**
 * The `Accept` an operation sends: its success type and the error type, each once. A server
 * that enforces `Accept` (RFC 9110 §12.5.1) answers 406 to a request that excludes what the
 * operation returns, so `application/json` alone broke `GET /artifacts` and `GET /logs`.
 */
export function acceptHeader(operation: GameyeOperation): string {
  const success = OPERATION_MEDIA_TYPES[operation].success;
  return success === undefined || success === ERROR_MEDIA_TYPE
    ? ERROR_MEDIA_TYPE
    : `${success}, ${ERROR_MEDIA_TYPE}`;
}
