/**
 * How long a message that failed for now waits before SQS delivers it again. SQS alone would
 * bring it back after the queue's visibility timeout, the same wait every time; the placement
 * handler instead sets each failed message's visibility to this backoff, so the retries of a
 * match spread over minutes (a full fleet has time to free capacity) while the first retry of
 * a blip comes quickly. Jittered, so matches that failed together do not all return together.
 */
import type { BridgeConfig } from './config.ts';
import type { TransientReason } from './errors.ts';

/**
 * Reasons another delivery or step settles within seconds (a duplicate lost the claim race to
 * a delivery at work; MatchEnded waits for its match's placement): coming back after the
 * backoff would only hold the message longer than needed.
 */
const SOON: ReadonlySet<TransientReason> = new Set(['concurrent-update', 'not-ready-yet']);
/** Seconds before such a message is delivered again. */
const SOON_SECONDS = 2;

/**
 * Seconds until the next delivery after receive number `receiveCount` (1 for the first)
 * failed for `reason`: a couple of seconds when another delivery settles it soon, else `firstDelaySeconds × 2^(receiveCount - 1)`, capped at `maxDelaySeconds`, then
 * drawn from its upper half ([d/2, d]) with `random` ∈ [0, 1).
 */
export function redeliveryDelaySeconds(
  receiveCount: number,
  backoff: BridgeConfig['retryBackoff'],
  random: () => number = Math.random,
  reason?: TransientReason,
): number {
  if (reason !== undefined && SOON.has(reason)) return Math.min(SOON_SECONDS, backoff.maxDelaySeconds);
  const exponent = Math.max(0, Math.floor(receiveCount) - 1);
  const ceiling = Math.min(backoff.maxDelaySeconds, backoff.firstDelaySeconds * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
