import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseRegions, type RegionChoiceInput } from '../../lambdas/core/placement/region-choice.ts';

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

  it('reports no-eligible-region when every region was dropped', () => {
    const input = anInput({ available: new Set() });

    expect(chooseRegions(input)).toMatchObject({ ranked: [], failure: 'no-eligible-region' });
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
