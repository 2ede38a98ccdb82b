/**
 * The region ranking as stored in the session record and published in SessionReady and
 * SessionFailed: what was considered, what was chosen, and why the rest was not.
 *
 * Bounded whatever the match: a MatchFound may name thousands of regions (100 players × 64
 * measurements), and every one of them ends up ranked or dropped. The published form keeps
 * the first {@link MAX_PUBLISHED_CANDIDATES} candidates with the total count, and per drop
 * reason the count and the first {@link MAX_NAMED_DROPS_PER_REASON} regions, so the ranking
 * stays a few kilobytes and SessionReady fits SNS's 256 KB.
 */
import * as z from 'zod';
import { boundedText, listWithMore } from './bounded-text.ts';
import type { Dropped, DropReason, RegionChoice } from './placement/region-choice.ts';

/** Ranked candidates published; `candidateCount` says how many there were in all. */
export const MAX_PUBLISHED_CANDIDATES = 10;
/** Dropped regions named per reason; `droppedCounts` counts them all. */
export const MAX_NAMED_DROPS_PER_REASON = 5;
/** A region name as published (matchmaker names have at most 64 characters, Gameye ids fewer). */
export const MAX_REGION_CHARS = 128;
/** A dropped region's detail. */
export const MAX_DETAIL_CHARS = 256;

const DROP_REASONS = [
  'not-available',
  'tag-missing',
  'no-alias',
  'no-latency-data',
  'cooling-down',
  'over-cap',
] as const satisfies readonly DropReason[];
const DropReasonSchema = z.enum(DROP_REASONS);

/*
 * The ranking's schemas are built on first use (`z.lazy`): a cold start reads no record and
 * publishes no event, and building them at module load cost every cold start.
 */
export const RankedCandidate = z.lazy(() =>
  z.object({
    region: z.string().max(MAX_REGION_CHARS),
    worstMs: z.number().nullable(),
    meanMs: z.number().nullable(),
    preferenceIndex: z.number().int().nullable(),
    overCap: z.boolean(),
  }),
);

export const DroppedRegion = z.lazy(() =>
  z.object({
    region: z.string().max(MAX_REGION_CHARS),
    reason: DropReasonSchema,
    detail: z.string().max(MAX_DETAIL_CHARS).optional(),
  }),
);

const BoundedRanking = z.lazy(() =>
  z.object({
    policy: z.enum(['latency', 'preference', 'best-effort']),
    /** The best candidates, best first: the whole ranking's first {@link MAX_PUBLISHED_CANDIDATES}. */
    candidates: z.array(RankedCandidate).max(MAX_PUBLISHED_CANDIDATES),
    /** How many regions were ranked in all (`candidates` lists the first of them). */
    candidateCount: z.number().int().min(0),
    /**
     * Index in the whole ranking of the region the session runs in (it may lie beyond
     * `candidates`); null when it runs elsewhere (adopted after a 409 from a region this ranking
     * no longer lists).
     */
    chosenRank: z.number().int().min(0).nullable(),
    /** Per reason, the first {@link MAX_NAMED_DROPS_PER_REASON} regions dropped for it, by name. */
    dropped: z.array(DroppedRegion).max(DROP_REASONS.length * MAX_NAMED_DROPS_PER_REASON),
    /** How many regions were dropped, per reason (`dropped` names the first of them). */
    droppedCounts: z.partialRecord(DropReasonSchema, z.number().int().min(1)),
  }),
);

export const Ranking = BoundedRanking;
export type Ranking = z.infer<typeof Ranking>;

/** A ranking of any size, before it is bounded. */
interface FullRanking {
  readonly policy: Ranking['policy'];
  readonly candidates: readonly Ranking['candidates'][number][];
  readonly chosenRank: number | null;
  readonly dropped: readonly { region: string; reason: DropReason; detail?: string | undefined }[];
}

/** The bounded form of a ranking of any size: the first candidates, the first drops per reason, counts of all. */
function boundRanking(full: FullRanking): Ranking {
  const named = new Map<DropReason, FullRanking['dropped'][number][]>();
  const counts: Partial<Record<DropReason, number>> = {};
  for (const d of full.dropped) {
    counts[d.reason] = (counts[d.reason] ?? 0) + 1;
    const list = named.get(d.reason) ?? [];
    if (list.length < MAX_NAMED_DROPS_PER_REASON) named.set(d.reason, [...list, d]);
  }
  const dropped = [...named.values()]
    .flat()
    .map((d) => ({
      region: boundedText(d.region, MAX_REGION_CHARS),
      reason: d.reason,
      ...(d.detail === undefined ? {} : { detail: boundedText(d.detail, MAX_DETAIL_CHARS) }),
    }))
    .sort((a, b) => byName(a.region, b.region) || byName(a.reason, b.reason));
  return {
    policy: full.policy,
    candidates: full.candidates
      .slice(0, MAX_PUBLISHED_CANDIDATES)
      .map((c) => ({ ...c, region: boundedText(c.region, MAX_REGION_CHARS) })),
    candidateCount: full.candidates.length,
    chosenRank: full.chosenRank,
    dropped,
    droppedCounts: counts,
  };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The published form of a {@link RegionChoice}, given where the session ended up. */
export function rankingOf(choice: RegionChoice, region: string | undefined): Ranking {
  const index = region === undefined ? -1 : choice.ranked.findIndex((c) => c.region === region);
  return boundRanking({
    policy: choice.policy,
    candidates: choice.ranked.map((c) => ({ ...c })),
    chosenRank: index < 0 ? null : index,
    dropped: choice.dropped.map((d) => ({ ...d })),
  });
}

/** Regions named per reason in {@link describeDropped}. */
const NAMED_IN_MESSAGE = 3;

/**
 * One bounded line on why regions were dropped, for a failure message: per reason, the count
 * and the first few regions (`no-alias (9000): a, b, c and 8997 more; not-available (1): x`),
 * with the first region's detail. At most about 1,500 characters however many were dropped.
 */
export function describeDropped(dropped: readonly Dropped[]): string {
  const parts: string[] = [];
  for (const reason of DROP_REASONS) {
    const of = dropped.filter((d) => d.reason === reason);
    const first = of[0];
    if (first === undefined) continue;
    const names = listWithMore(
      of.map((d) => d.region),
      NAMED_IN_MESSAGE,
      64,
    );
    const detail =
      first.detail === undefined
        ? ''
        : ` (${boundedText(first.region, 64)}: ${boundedText(first.detail, 96)})`;
    parts.push(`${reason} (${of.length}): ${names}${detail}`);
  }
  return parts.join('; ');
}
