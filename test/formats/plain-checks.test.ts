/** The plain checks the translations use in their loops answer exactly as the zod schemas they stand for. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLatencyMs, isRegionName, LatencyMs, RegionName } from '../../lambdas/core/match-event.ts';

describe('plain checks', () => {
  it('isRegionName agrees with RegionName on any string, near the rule or far from it', () => {
    const nearly = fc.stringMatching(/^[A-Za-z0-9_-]{0,70}$/);
    fc.assert(
      fc.property(fc.oneof(nearly, fc.string({ maxLength: 80 })), (name) => {
        expect(isRegionName(name)).toBe(RegionName.safeParse(name).success);
      }),
      { numRuns: 2_000 },
    );
  });

  it('isLatencyMs agrees with LatencyMs on any JSON value and on the edges', () => {
    const edges = fc.constantFrom(
      0,
      -0,
      10_000,
      10_000.000001,
      -1e-9,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '5',
      null,
    );
    fc.assert(
      fc.property(fc.oneof(edges, fc.double(), fc.jsonValue()), (value) => {
        expect(isLatencyMs(value)).toBe(LatencyMs.safeParse(value).success);
      }),
      { numRuns: 2_000 },
    );
  });
});
