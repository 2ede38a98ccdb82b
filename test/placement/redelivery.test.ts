/** How long a message that failed for now waits before its next delivery. */
import { describe, expect, it } from 'vitest';
import { redeliveryDelaySeconds } from '../../lambdas/core/redelivery.ts';

const backoff = { firstDelaySeconds: 15, maxDelaySeconds: 180 };
const top = () => 0.999_999;
const bottom = () => 0;

describe('the redelivery backoff', () => {
  it.each([
    [1, 15],
    [2, 30],
    [3, 60],
    [4, 120],
    [5, 180],
    [9, 180],
  ])('after receive %i waits at most %i s, and at least half of that', (receives, ceiling) => {
    expect(redeliveryDelaySeconds(receives, backoff, top)).toBe(ceiling);
    expect(redeliveryDelaySeconds(receives, backoff, bottom)).toBe(Math.round(ceiling / 2));
  });

  it('spreads the four waits of SQS’s five receives over about four minutes at most', () => {
    const window = [1, 2, 3, 4].reduce((sum, n) => sum + redeliveryDelaySeconds(n, backoff, top), 0);
    expect(window).toBe(225);
  });

  it.each(['concurrent-update', 'not-ready-yet'] as const)(
    'brings a message back within seconds when another delivery settles it soon (%s)',
    (reason) => {
      expect(redeliveryDelaySeconds(4, backoff, top, reason)).toBe(2);
    },
  );

  it('keeps the backoff for a full fleet or an outage', () => {
    expect(redeliveryDelaySeconds(3, backoff, top, 'no-capacity')).toBe(60);
    expect(redeliveryDelaySeconds(3, backoff, top, 'gameye-unavailable')).toBe(60);
  });
});
