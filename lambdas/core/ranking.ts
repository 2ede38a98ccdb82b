/**
 * The region ranking as stored in the session record and published in SessionReady and
 * SessionFailed: what was considered, what was chosen, and why the rest was not.
 */
import * as z from 'zod';
import type { RegionChoice } from './placement/region-choice.ts';

export const RankedCandidate = z.object({
  region: z.string(),
  worstMs: z.number().nullable(),
  meanMs: z.number().nullable(),
  preferenceIndex: z.number().int().nullable(),
  overCap: z.boolean(),
});

export const DroppedRegion = z.object({
  region: z.string(),
  reason: z.enum(['not-available', 'tag-missing', 'no-alias', 'no-latency-data', 'cooling-down', 'over-cap']),
  detail: z.string().optional(),
});

export const Ranking = z.object({
  policy: z.enum(['latency', 'preference', 'best-effort']),
  candidates: z.array(RankedCandidate),
  /**
   * Index into `candidates` of the region the session runs in; null when it runs elsewhere
   * (adopted after a 409 from a region this ranking no longer lists).
   */
  chosenRank: z.number().int().min(0).nullable(),
  dropped: z.array(DroppedRegion),
});
export type Ranking = z.infer<typeof Ranking>;

/** The published form of a {@link RegionChoice}, given where the session ended up. */
export function rankingOf(choice: RegionChoice, region: string | undefined): Ranking {
  const index = region === undefined ? -1 : choice.ranked.findIndex((c) => c.region === region);
  return {
    policy: choice.policy,
    candidates: choice.ranked.map((c) => ({ ...c })),
    chosenRank: index < 0 ? null : index,
    dropped: choice.dropped.map((d) => ({ ...d })),
  };
}
