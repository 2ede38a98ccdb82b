import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseRegions,
  locationsConsidered,
  type RegionChoiceInput,
} from '../../lambdas/core/placement/region-choice.ts';

function anInput(overrides: Partial<RegionChoiceInput> = {}): RegionChoiceInput {
  return {
    players: [
      { id: 'alice', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
      { id: 'bob', latencies: { 'eu-west-1': 45, 'us-east-1': 70 } },
    ],
    aliases: { 'eu-west-1': 'eu-west', 'us-east-1': 'na-east' },
    available: new Set(['eu-west', 'na-east', 'asia-northeast']),
    tagged: 'no-version-pinned',
    coolingDown: new Set(),
    whenNoneMeetsCap: 'best-effort',
    preference: ['na-east', 'eu-west', 'asia-northeast'],
    ...overrides,
  };
}

const regions = (input: RegionChoiceInput): string[] => chooseRegions(input).ranked.map((c) => c.region);

describe('chooseRegions', () => {
  it('ranks regions by the worst player latency, not the best', () => {
    // Arrange: eu-west worst 45, na-east worst 90.
    const input = anInput();

    // Act
    const choice = chooseRegions(input);

    // Assert
    expect(choice.policy).toBe('latency');
    expect(choice.ranked.map((c) => [c.region, c.worstMs, c.meanMs])).toEqual([
      ['eu-west', 45, 37.5],
      ['na-east', 90, 80],
    ]);
  });

  it('breaks a tie on worst latency by the mean, then by the preference order', () => {
    const input = anInput({
      players: [
        { id: 'a', latencies: { x: 50, y: 50, z: 50 } },
        { id: 'b', latencies: { x: 10, y: 20, z: 10 } },
      ],
      aliases: {},
      available: new Set(['x', 'y', 'z']),
      preference: ['z', 'y', 'x'],
    });

    expect(regions(input)).toEqual(['z', 'x', 'y']);
  });

  it('drops a region a player has no measurement for, naming the player', () => {
    const input = anInput({
      players: [
        { id: 'alice', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
        { id: 'bob', latencies: { 'eu-west-1': 45 } },
      ],
    });

    const choice = chooseRegions(input);

    expect(regions(input)).toEqual(['eu-west']);
    expect(choice.dropped).toContainEqual({
      region: 'na-east',
      reason: 'no-latency-data',
      detail: 'no measurement from bob',
    });
  });

  it('lets a player without any measurement fit anywhere', () => {
    const input = anInput({
      players: [
        { id: 'alice', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
        { id: 'carol', latencies: {} },
      ],
    });

    expect(regions(input)).toEqual(['eu-west', 'na-east']);
  });

  it('uses an unaliased name as-is when it is a Gameye location, and drops it otherwise', () => {
    const input = anInput({
      players: [{ id: 'alice', latencies: { 'asia-northeast': 120, 'mars-1': 5 } }],
    });

    const choice = chooseRegions(input);

    expect(regions(input)).toEqual(['asia-northeast']);
    expect(choice.dropped).toContainEqual({ region: 'mars-1', reason: 'no-alias' });
  });

  it('takes the worst of several measurements that alias to one location', () => {
    const input = anInput({
      players: [{ id: 'alice', latencies: { 'us-east-1': 20, 'us-east-2': 60 } }],
      aliases: { 'us-east-1': 'na-east', 'us-east-2': 'na-east' },
    });

    expect(chooseRegions(input).ranked[0]).toMatchObject({ region: 'na-east', worstMs: 60 });
  });

  it('drops regions that are unavailable, lack the pinned tag or are cooling down, with the reason', () => {
    const input = anInput({
      players: [{ id: 'alice', latencies: { a: 10, b: 20, c: 30, d: 40 } }],
      aliases: {},
      available: new Set(['b', 'c', 'd']),
      tagged: new Set(['a', 'c', 'd']),
      coolingDown: new Set(['c']),
      preference: ['a', 'b', 'c', 'd'],
    });

    const choice = chooseRegions(input);

    expect(regions(input)).toEqual(['d']);
    expect(choice.dropped).toEqual([
      { region: 'a', reason: 'not-available' },
      { region: 'b', reason: 'tag-missing' },
      { region: 'c', reason: 'cooling-down' },
    ]);
  });

  it('orders a match without latency data by preference, then other available locations by name', () => {
    const input = anInput({
      players: [{ id: 'alice', latencies: {} }],
      available: new Set(['eu-west', 'na-east', 'sa-east', 'af-south']),
      preference: ['na-east', 'eu-west', 'asia-northeast'],
    });

    const choice = chooseRegions(input);

    expect(choice.policy).toBe('preference');
    expect(regions(input)).toEqual(['na-east', 'eu-west', 'af-south', 'sa-east']);
    expect(choice.dropped).toEqual([{ region: 'asia-northeast', reason: 'not-available' }]);
  });

  it('removes regions over the cap when some region meets it', () => {
    const input = anInput({ capMs: 60 });

    const choice = chooseRegions(input);

    expect(regions(input)).toEqual(['eu-west']);
    expect(choice.dropped).toContainEqual(expect.objectContaining({ region: 'na-east', reason: 'over-cap' }));
  });

  it('ranks over-cap regions, flagged, when none meets the cap and the policy is best-effort', () => {
    const input = anInput({ capMs: 20, whenNoneMeetsCap: 'best-effort' });

    const choice = chooseRegions(input);

    expect(choice.policy).toBe('best-effort');
    expect(choice.ranked.map((c) => [c.region, c.overCap])).toEqual([
      ['eu-west', true],
      ['na-east', true],
    ]);
  });

  it('returns no candidate and says why when none meets the cap and the policy is fail', () => {
    const input = anInput({ capMs: 20, whenNoneMeetsCap: 'fail' });

    const choice = chooseRegions(input);

    expect(choice.ranked).toEqual([]);
    expect(choice.failure).toBe('none-within-cap');
    expect(choice.dropped.filter((d) => d.reason === 'over-cap').map((d) => d.region)).toEqual([
      'eu-west',
      'na-east',
    ]);
  });

  it('reports no-capacity-now, not a permanent failure, when Gameye lists no location at all', () => {
    const input = anInput({ available: new Set() });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-capacity-now' });
  });

  it('decides an exact tie on the mean by preference, not by floating-point error', () => {
    // Means of {0.1, 0.2, 0.3} and {0, 0.3, 0.3} are both 0.2, but summed as floats they
    // come out as 0.20000000000000004 and 0.19999999999999998.
    const input = anInput({
      players: [
        { id: 'a', latencies: { x: 0.1, y: 0 } },
        { id: 'b', latencies: { x: 0.2, y: 0.3 } },
        { id: 'c', latencies: { x: 0.3, y: 0.3 } },
      ],
      aliases: {},
      available: new Set(['x', 'y']),
      preference: ['x', 'y'],
    });

    const choice = chooseRegions(input);

    expect(choice.ranked.map((c) => c.region)).toEqual(['x', 'y']);
    expect(choice.ranked.map((c) => c.meanMs)).toEqual([0.2, 0.2]);
  });

  it('reports no-capacity-now when every eligible region is cooling down', () => {
    const input = anInput({ coolingDown: new Set(['eu-west', 'na-east']) });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-capacity-now' });
  });

  it('reports no-capacity-now when Gameye lists none of the measured regions right now', () => {
    const input = anInput({ available: new Set(['asia-northeast']), tagged: new Set(['asia-northeast']) });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-capacity-now' });
  });

  it('reports no-capacity-now when the only region within the cap is unavailable, even under the fail policy', () => {
    const input = anInput({ capMs: 60, whenNoneMeetsCap: 'fail', available: new Set(['na-east']) });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-capacity-now' });
  });

  it('reports no-capacity-now for a match without latency data when Gameye lists no location at all', () => {
    const input = anInput({
      players: [{ id: 'alice', latencies: {} }],
      available: new Set(),
      preference: [],
    });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-capacity-now' });
  });

  it('keeps a permanent verdict when the pinned tag is missing wherever Gameye lists the image', () => {
    const input = anInput({ tagged: new Set() });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-eligible-region' });
  });

  it('keeps a permanent verdict for region names nothing maps to a Gameye location', () => {
    const input = anInput({ players: [{ id: 'alice', latencies: { 'mars-1': 5 } }], preference: [] });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-eligible-region' });
  });

  it('keeps a permanent verdict when no region has data from every player', () => {
    const input = anInput({
      players: [
        { id: 'alice', latencies: { 'eu-west-1': 30 } },
        { id: 'bob', latencies: { 'us-east-1': 70 } },
      ],
      coolingDown: new Set(['eu-west']),
    });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-eligible-region' });
  });

  it('keeps none-within-cap when every region is over the cap, whatever cools down', () => {
    const input = anInput({ capMs: 20, whenNoneMeetsCap: 'fail', coolingDown: new Set(['eu-west']) });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'none-within-cap' });
  });

  it('names at most three players in a no-latency-data detail and counts the rest', () => {
    const others = Array.from({ length: 99 }, (_, i) => ({
      id: `p${String(i).padStart(2, '0')}`,
      latencies: { 'eu-west-1': 30 },
    }));
    const input = anInput({
      players: [{ id: 'alice', latencies: { 'eu-west-1': 30, 'us-east-1': 20 } }, ...others],
    });

    const choice = chooseRegions(input);

    expect(choice.dropped).toContainEqual({
      region: 'na-east',
      reason: 'no-latency-data',
      detail: 'no measurement from p00, p01, p02 and 96 more',
    });
  });
});

// Properties over small worlds of locations l0..l5 and players p0..p4.
const LOCATIONS = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5'];

const arbInput: fc.Arbitrary<RegionChoiceInput> = fc
  .record({
    players: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4'),
        latencies: fc.dictionary(
          fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'l0', 'l1'),
          fc.integer({ min: 0, max: 400 }),
        ),
      }),
      { minLength: 1, maxLength: 5, selector: (p) => p.id },
    ),
    aliases: fc.dictionary(fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4'), fc.constantFrom(...LOCATIONS)),
    available: fc.subarray(LOCATIONS),
    tagged: fc.option(fc.subarray(LOCATIONS), { nil: undefined }),
    coolingDown: fc.subarray(LOCATIONS, { maxLength: 2 }),
    capMs: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    whenNoneMeetsCap: fc.constantFrom('best-effort' as const, 'fail' as const),
    preference: fc.shuffledSubarray(LOCATIONS),
  })
  .map((r) => ({
    players: r.players,
    aliases: r.aliases,
    available: new Set(r.available),
    tagged: r.tagged === undefined ? ('no-version-pinned' as const) : new Set(r.tagged),
    coolingDown: new Set(r.coolingDown),
    capMs: r.capMs,
    whenNoneMeetsCap: r.whenNoneMeetsCap,
    preference: r.preference,
  }));

function reversed<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).reverse());
}

describe('chooseRegions properties', () => {
  it('never ranks a region that is unavailable, untagged or cooling down', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        for (const c of chooseRegions(input).ranked) {
          expect(input.available.has(c.region)).toBe(true);
          if (input.tagged !== 'no-version-pinned') expect(input.tagged.has(c.region)).toBe(true);
          expect(input.coolingDown.has(c.region)).toBe(false);
        }
      }),
    );
  });

  it('chooses a region no eligible region beats on worst-player latency', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const [chosen, ...rest] = chooseRegions(input).ranked;
        if (!chosen || chosen.worstMs === null) return;
        for (const other of rest) expect(other.worstMs ?? 0).toBeGreaterThanOrEqual(chosen.worstMs);
      }),
    );
  });

  it('accounts for every ranked region exactly once and never both ranks and drops it', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const choice = chooseRegions(input);
        const ranked = choice.ranked.map((c) => c.region);
        expect(new Set(ranked).size).toBe(ranked.length);
        for (const d of choice.dropped) expect(ranked).not.toContain(d.region);
      }),
    );
  });

  it('gives the same answer for the same input in any order of players and map keys', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const shuffled: RegionChoiceInput = {
          ...input,
          players: [...input.players].reverse().map((p) => ({ ...p, latencies: reversed(p.latencies) })),
          aliases: reversed(input.aliases),
          available: new Set([...input.available].reverse()),
          coolingDown: new Set([...input.coolingDown].reverse()),
        };
        expect(chooseRegions(shuffled)).toEqual(chooseRegions(input));
      }),
    );
  });

  it('never ranks a region over the cap under the fail policy', () => {
    fc.assert(
      fc.property(
        arbInput.filter((i) => i.capMs !== undefined),
        (generated) => {
          const input = { ...generated, whenNoneMeetsCap: 'fail' as const };
          const choice = chooseRegions(input);
          for (const c of choice.ranked) {
            expect(c.overCap).toBe(false);
            if (c.worstMs !== null) expect(c.worstMs).toBeLessThanOrEqual(input.capMs ?? 0);
          }
        },
      ),
    );
  });

  it('explains an empty ranking with a failure reason, and only then', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const choice = chooseRegions(input);
        expect(choice.failure === undefined).toBe(choice.ranked.length > 0);
      }),
    );
  });
});

/** Latencies in tenths of a millisecond: decimals whose float sums depend on their grouping. */
const tenths = (k: number): number => k / 10;

/**
 * Two compositions of one exact sum with one worst value: `base` and `base` after moving
 * `shift` tenths from entry `from` to entry `to`, keeping every entry within [0, worst].
 */
const arbEqualSums = fc
  .record({
    base: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 2, maxLength: 5 }),
    from: fc.nat(),
    to: fc.nat(),
    shift: fc.integer({ min: 1, max: 400 }),
  })
  .map(({ base, from, to, shift }) => {
    const worst = Math.max(...base);
    const top = base.indexOf(worst);
    const others = base.map((_, i) => i).filter((i) => i !== top);
    const i = others[from % others.length] ?? 0;
    const j = others[to % others.length] ?? 0;
    const moved = [...base];
    const d = Math.min(shift, moved[i] ?? 0, worst - (moved[j] ?? 0));
    if (i !== j) {
      moved[i] = (moved[i] ?? 0) - d;
      moved[j] = (moved[j] ?? 0) + d;
    }
    return { a: base.map(tenths), b: moved.map(tenths) };
  });

function twoRegions(x: readonly number[], y: readonly number[], preference: string[]): RegionChoiceInput {
  return anInput({
    players: x.map((ms, i) => ({ id: `p${i}`, latencies: { x: ms, y: y[i] ?? 0 } })),
    aliases: {},
    available: new Set(['x', 'y']),
    preference,
  });
}

describe('chooseRegions tie properties', () => {
  it('orders two regions with equal worst and equal exact mean by the configured preference', () => {
    fc.assert(
      fc.property(arbEqualSums, ({ a, b }) => {
        expect(regions(twoRegions(a, b, ['x', 'y']))).toEqual(['x', 'y']);
        expect(regions(twoRegions(a, b, ['y', 'x']))).toEqual(['y', 'x']);
      }),
    );
  });

  it('never changes the order when a region’s equal sum is composed differently', () => {
    fc.assert(
      fc.property(
        arbEqualSums,
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 5, maxLength: 5 }),
        fc.shuffledSubarray(['x', 'y', 'z'], { minLength: 3 }),
        ({ a, b }, z, preference) => {
          const input = (x: readonly number[]): RegionChoiceInput =>
            anInput({
              players: x.map((ms, i) => ({
                id: `p${i}`,
                latencies: { x: ms, y: a[i] ?? 0, z: tenths(z[i] ?? 0) },
              })),
              aliases: {},
              available: new Set(['x', 'y', 'z']),
              preference,
            });

          expect(regions(input(b))).toEqual(regions(input(a)));
        },
      ),
    );
  });
});

/** The input with every location the choice considers listed (an unlisted one holding the tag) and no cooldown. */
function everythingUp(input: RegionChoiceInput, extra: readonly string[] = locationsConsidered(input)) {
  const unlisted = extra.filter((r) => !input.available.has(r));
  return {
    ...input,
    available: new Set([...input.available, ...unlisted]),
    tagged: input.tagged === 'no-version-pinned' ? input.tagged : new Set([...input.tagged, ...unlisted]),
    coolingDown: new Set<string>(),
  } satisfies RegionChoiceInput;
}

describe('chooseRegions verdict properties', () => {
  it('answers no-capacity-now only when availability and cooldowns alone stand in the way', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const choice = chooseRegions(input);
        if (choice.failure !== 'no-capacity-now') return;
        const considered = locationsConsidered(input);
        // Nothing considered happens only without latency data and with nothing listed.
        if (considered.length === 0) expect(input.available.size).toBe(0);
        else expect(chooseRegions(everythingUp(input)).ranked.length).toBeGreaterThan(0);
      }),
    );
  });

  it('keeps a permanent verdict however availability and cooldowns of the considered locations change', () => {
    fc.assert(
      fc.property(arbInput, fc.subarray(LOCATIONS), fc.subarray(LOCATIONS), (input, listed, cooling) => {
        const choice = chooseRegions(input);
        if (choice.failure === undefined || choice.failure === 'no-capacity-now') return;
        const considered = new Set(locationsConsidered(input));
        const later = {
          ...everythingUp(
            input,
            listed.filter((r) => considered.has(r)),
          ),
          coolingDown: new Set(cooling),
        };

        const after = chooseRegions(later);
        expect(after.ranked).toEqual([]);
        expect(['no-eligible-region', 'none-within-cap']).toContain(after.failure);
      }),
    );
  });

  it('answers no-capacity-now whenever the choice would rank a region with everything up and nothing ranks now', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const choice = chooseRegions(input);
        if (choice.ranked.length > 0 || locationsConsidered(input).length === 0) return;
        const wouldRank = chooseRegions(everythingUp(input)).ranked.length > 0;
        expect(choice.failure === 'no-capacity-now').toBe(wouldRank);
      }),
    );
  });
});
