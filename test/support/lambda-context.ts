/** Lambda contexts for tests that call a handler directly. */
import type { Context } from 'aws-lambda';
import { fakeContext } from '../../tools/local/sqs-event-source.ts';

/**
 * A context whose remaining time stays at `remainingMs` however long the call takes: a busy
 * machine slows the test down, it never makes the handler believe its time is up.
 */
export function steadyContext(remainingMs = 30_000): Context {
  return { ...fakeContext(0), getRemainingTimeInMillis: () => remainingMs };
}
