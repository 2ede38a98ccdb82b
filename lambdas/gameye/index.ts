/**
 * The Gameye adapter's public surface: the client, its one error type, and the contract
 * types callers see in its signatures.
 */
export type { ArtifactOptions, CallOptions, LogsOptions } from './call-options.ts';
export { GameyeClient, type StartedSession } from './client.ts';
export type { GameyeClientOptions } from './client-options.ts';
export type {
  AvailableLocationsEntry,
  DescribedSession,
  GameyeOperation,
  JoinSessionOk,
  LeaveSessionOk,
  ListSessionsQuery,
  Port,
  SessionListEntry,
  SessionRunRequest,
  SessionStatus,
} from './contract.ts';
export { type GameyeClientErrorCode, GameyeError, type GameyeErrorProps, isRetryable } from './errors.ts';
export { type DecodedLabels, decodeLabels, type Session, type SessionSummary } from './labels.ts';
export { encodeListQuery } from './list-query.ts';
export {
  acceptHeader,
  ERROR_MEDIA_TYPE,
  OPERATION_MEDIA_TYPES,
  type OperationMediaTypes,
} from './media-types.ts';
export type { GameyeRequestEvent } from './request-event.ts';
export { backoffDelay, type RetryPolicy, type Sleep } from './retry.ts';
export { REDACTED, scrubSecrets } from './scrub-secrets.ts';
