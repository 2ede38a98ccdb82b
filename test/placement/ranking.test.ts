import { describe, expect, it } from 'vitest';
import type {
  Candidate,
  Dropped,
  DropReason,
  RegionChoice,
} from '../../lambdas/core/placement/region-choice.ts';
import {
  describeDropped,
  MAX_DETAIL_CHARS,
  MAX_NAMED_DROPS_PER_REASON,
  MAX_PUBLISHED_CANDIDATES,
  Ranking,
  rankingOf,
} from '../../lambdas/core/ranking.ts';

const REASONS: DropReason[] = [
  'not-available',
  'tag-missing',
  'no-alias',
  'no-latency-data',
  'cooling-down',
  'over-cap',
];

const candidate = (i: number): Candidate => ({
  region: `region-${String(i).padStart(5, '0')}`,
  worstMs: 10 + i,
  meanMs: 5 + i,
  preferenceIndex: null,
  overCap: false,
});

function aHugeChoice(candidates: number, dropsPerReason: number, detail = 'd'.repeat(10_000)): RegionChoice {
  const dropped: Dropped[] = REASONS.flatMap((reason) =>
    Array.from({ length: dropsPerReason }, (_, i) => ({
      region: `${reason}-${String(i).padStart(5, '0')}`,
      reason,
      detail,
    })),
  ).sort((a, b) => (a.region < b.region ? -1 : 1));
  return {
    ranked: Array.from({ length: candidates }, (_, i) => candidate(i)),
    dropped,
    policy: 'latency',
  };
}

describe('rankingOf', () => {
  it('publishes the first ten candidates with the total, and the chosen rank in the whole ranking', () => {
    const choice = aHugeChoice(10_000, 0);

    const ranking = rankingOf(choice, 'region-00042');

    expect(ranking.candidates).toHaveLength(MAX_PUBLISHED_CANDIDATES);
    expect(ranking.candidates[0]).toEqual(candidate(0));
    expect(ranking.candidateCount).toBe(10_000);
    expect(ranking.chosenRank).toBe(42);
  });

  it('summarises dropped regions by reason: a count and the first five by name, with bounded details', () => {
    const choice = aHugeChoice(1, 9_000);

    const ranking = rankingOf(choice, undefined);

    expect(ranking.dropped).toHaveLength(REASONS.length * MAX_NAMED_DROPS_PER_REASON);
    expect(ranking.droppedCounts).toEqual(Object.fromEntries(REASONS.map((r) => [r, 9_000])));
    expect(ranking.dropped.filter((d) => d.reason === 'no-alias').map((d) => d.region)).toEqual([
      'no-alias-00000',
      'no-alias-00001',
      'no-alias-00002',
      'no-alias-00003',
      'no-alias-00004',
    ]);
    for (const d of ranking.dropped) expect(d.detail?.length).toBe(MAX_DETAIL_CHARS);
    expect(Ranking.parse(ranking)).toEqual(ranking);
  });

  it('stays a few kilobytes however large the choice', () => {
    const ranking = rankingOf(aHugeChoice(10_000, 10_000), 'region-09999');

    expect(Buffer.byteLength(JSON.stringify(ranking))).toBeLessThan(16 * 1024);
  });

  it('keeps a small choice whole', () => {
    const choice = aHugeChoice(3, 2, 'why');

    const ranking = rankingOf(choice, 'region-00001');

    expect(ranking).toEqual({
      policy: 'latency',
      candidates: choice.ranked,
      candidateCount: 3,
      chosenRank: 1,
      dropped: choice.dropped,
      droppedCounts: Object.fromEntries(REASONS.map((r) => [r, 2])),
    });
  });
});

describe('Ranking', () => {
  it('refuses a ranking over its bounds: the record and the events hold only bounded ones', () => {
    const unbounded = {
      policy: 'latency',
      candidates: aHugeChoice(50, 0).ranked,
      candidateCount: 50,
      chosenRank: 30,
      dropped: [],
      droppedCounts: {},
    };

    expect(Ranking.safeParse(unbounded).success).toBe(false);
  });

  it('still rejects what is not a ranking', () => {
    expect(
      Ranking.safeParse({ policy: 'fastest', candidates: [], chosenRank: null, dropped: [] }).success,
    ).toBe(false);
  });
});

describe('describeDropped', () => {
  it('counts each reason and names its first three regions, in a line of bounded length', () => {
    const line = describeDropped(aHugeChoice(0, 9_000).dropped);

    expect(line).toContain('no-alias (9000): no-alias-00000, no-alias-00001, no-alias-00002 and 8997 more');
    expect(line.length).toBeLessThan(1_500);
  });
});
