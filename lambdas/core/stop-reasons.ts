/**
 * Why a session was stopped. One list for the core (record, SessionEnded event) and for the
 * `reason` dimension of the `SessionsStopped` metric (lambdas/shared/metric-names.ts re-exports it), so
 * an alarm or dashboard can never select a reason the reaper does not emit.
 *
 * Plain data: no zod, no SDK, so the CDK side can import it too.
 */
export const STOP_REASONS = [
  /** The game backend sent MatchEnded. */
  'match-ended',
  /** Players had joined, then none were online for the profile's `idleTimeoutMs`. */
  'idle',
  /** No player was ever seen within the profile's `joinGraceMs` after READY. */
  'no-players-joined',
  /** Older than the profile's `maxLifetimeMs`. */
  'max-lifetime',
  /** Gameye reports `exited`, `dead` or `server_unreachable` (a ttl expiry is `exited` too). */
  'crashed',
  /** Gameye no longer lists the session at all. */
  'gone',
  /** Running with this deployment's label but no active record. */
  'orphan',
  /** A PLACING record outlived every SQS retry while its session runs: nobody will connect. */
  'placement-abandoned',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];
