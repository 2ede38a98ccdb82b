/**
 * The Gameye adapter's public surface: the client, its one error type, and the contract
 * types callers see in its signatures.
 */
export {
  type ArtifactOptions,
  type CallOptions,
  type DecodedLabels,
  decodeLabels,
  encodeListQuery,
  GameyeClient,
  type GameyeClientOptions,
  type GameyeClientStats,
  type GameyeRequestEvent,
  type LogsOptions,
  type OperationStats,
  type Session,
  type SessionSummary,
  type StartedSession,
} from './client.ts';
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
export { backoffDelay, type RetryPolicy, type Sleep } from './retry.ts';
