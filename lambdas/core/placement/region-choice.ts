/**
 * Region choice as a pure function: same input, same answer, and the answer explains itself
 * (every region considered is either ranked or dropped with a reason), because the ranking is
 * published in SessionReady and is what an operator reads when players complain.
 *
 * Decisions:
 * - Matchmaker names go through the alias map; a name without an alias is used as-is only if
 *   it is a known Gameye location (available now, or in the preference list), otherwise it is
 *   dropped as `no-alias`.
 * - When several of one player's matchmaker regions alias to the same Gameye location, the
 *   player's latency there is the worst of them: Gameye picks the data center inside a region,
 *   so we never assume the best one.
 * - A player with no measurements at all does not constrain the choice. A player with some
 *   measurements makes every region they did not measure ineligible (`no-latency-data`): a
 *   matchmaker usually pings only nearby regions, so "unmeasured" means "far".
 * - When no player has any measurement the preference order decides; locations available but
 *   not in the preference list follow, by name.
 * - Ties beyond worst, mean and preference are broken by location name, so the answer never
 *   depends on map or array order.
 * - Means are compared exactly, as sums of latencies in integer microseconds: every ranked
 *   region has a latency from every constraining player, so equal means are equal sums, and
 *   integer sums do not depend on how the values are grouped (floating-point means of
 *   {0.1, 0.2, 0.3} and {0, 0.3, 0.3} differ in the last bit, which would decide the tie).
 * - An empty ranking says whether it is for now or for good: `no-capacity-now` when the same
 *   choice with every considered location available (an unlisted one assumed to hold the
 *   pinned tag, since tags are checked only where Gameye lists the image) and nothing cooling
 *   down would rank a region; otherwise `no-eligible-region` or `none-within-cap`.
 */
import { listWithMore } from '../bounded-text.ts';

/** Why a region was not ranked. */
export type DropReason =
  | 'not-available'
  | 'tag-missing'
  | 'no-alias'
  | 'no-latency-data'
  | 'cooling-down'
  | 'over-cap';

export interface Dropped {
  /** Gameye location, or the matchmaker's name when it has no alias (`no-alias`). */
  readonly region: string;
  readonly reason: DropReason;
  /** What exactly: which players lack data, by how much the cap is exceeded. */
  readonly detail?: string;
}

export interface Candidate {
  /** Gameye location. */
  readonly region: string;
  /** Worst player's latency in ms; null under the preference policy. */
  readonly worstMs: number | null;
  /** Mean latency over the constraining players in ms; null under the preference policy. */
  readonly meanMs: number | null;
  /** Position in the configured preference; null when the region is not listed. */
  readonly preferenceIndex: number | null;
  /** True when ranked only because the best-effort policy allowed over-cap regions. */
  readonly overCap: boolean;
}

/**
 * `latency`: ranked by measured latency within the cap. `preference`: no player had data.
 * `best-effort`: no region met the cap and the policy allowed over-cap regions.
 */
export type ChoicePolicy = 'latency' | 'preference' | 'best-effort';

export interface RegionChoice {
  /** Eligible regions, best first. Empty when nothing may be used. */
  readonly ranked: readonly Candidate[];
  /** Every other region considered, sorted by region name. */
  readonly dropped: readonly Dropped[];
  readonly policy: ChoicePolicy;
  /** Set exactly when `ranked` is empty. */
  readonly failure?: ChoiceFailure;
}

/**
 * Why nothing is ranked. `no-capacity-now`: only availability or cooldowns stand in the way,
 * so a later try may succeed. The others are permanent for this match and configuration:
 * `none-within-cap` (the cap with `whenNoneMeetsCap: 'fail'`), `no-eligible-region`
 * (unknown region names, the pinned tag missing wherever Gameye lists the image, no latency
 * data for the regions that could host it).
 */
export type ChoiceFailure = 'no-capacity-now' | 'no-eligible-region' | 'none-within-cap';

/** Players named in a `no-latency-data` detail; the rest are counted. */
const MAX_NAMED_PLAYERS = 3;

export interface PlayerLatencies {
  readonly id: string;
  /** Round-trip ms per matchmaker region name. */
  readonly latencies: Readonly<Record<string, number>>;
}

export interface RegionChoiceInput {
  readonly players: readonly PlayerLatencies[];
  /** Matchmaker region name → Gameye location. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Locations Gameye says can host the image now. */
  readonly available: ReadonlySet<string>;
  /** Locations whose fleet holds the pinned tag, or `'no-version-pinned'`. */
  readonly tagged: ReadonlySet<string> | 'no-version-pinned';
  /** Locations recently answering 420. */
  readonly coolingDown: ReadonlySet<string>;
  /** Absent: no cap. */
  readonly capMs?: number | undefined;
  readonly whenNoneMeetsCap: 'best-effort' | 'fail';
  /** Gameye locations, most preferred first. */
  readonly preference: readonly string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Translated {
  /** Location → player id → latency (worst over aliases). */
  readonly perLocation: Map<string, Map<string, number>>;
  readonly noAlias: Set<string>;
  readonly constraining: string[];
}

function translate(input: RegionChoiceInput): Translated {
  const known = (name: string): boolean => input.available.has(name) || input.preference.includes(name);
  const perLocation = new Map<string, Map<string, number>>();
  const noAlias = new Set<string>();
  const constraining: string[] = [];
  for (const player of input.players) {
    const entries = Object.entries(player.latencies);
    if (entries.length === 0) continue;
    constraining.push(player.id);
    for (const [name, ms] of entries) {
      const location = Object.hasOwn(input.aliases, name)
        ? input.aliases[name]
        : known(name)
          ? name
          : undefined;
      if (location === undefined) {
        noAlias.add(name);
        continue;
      }
      let byPlayer = perLocation.get(location);
      if (!byPlayer) {
        byPlayer = new Map();
        perLocation.set(location, byPlayer);
      }
      byPlayer.set(player.id, Math.max(byPlayer.get(player.id) ?? 0, ms));
    }
  }
  return { perLocation, noAlias, constraining };
}

/** The Gameye locations a choice will look at: the only ones whose tag needs checking. */
export function locationsConsidered(input: Omit<RegionChoiceInput, 'tagged'>): string[] {
  const { perLocation, constraining } = translate({ ...input, tagged: 'no-version-pinned' });
  const all =
    constraining.length === 0
      ? [...input.preference, ...input.available]
      : [...perLocation.keys(), ...input.preference];
  return [...new Set(all)].sort(byName);
}

function availabilityDrop(region: string, input: RegionChoiceInput): Dropped | undefined {
  if (!input.available.has(region)) return { region, reason: 'not-available' };
  if (input.tagged !== 'no-version-pinned' && !input.tagged.has(region))
    return { region, reason: 'tag-missing' };
  return undefined;
}

function preferenceIndex(region: string, preference: readonly string[]): number | null {
  const i = preference.indexOf(region);
  return i < 0 ? null : i;
}

function comparePreference(a: Candidate, b: Candidate): number {
  const pa = a.preferenceIndex ?? Number.MAX_SAFE_INTEGER;
  const pb = b.preferenceIndex ?? Number.MAX_SAFE_INTEGER;
  return pa - pb || byName(a.region, b.region);
}

/** A candidate with its exact latency sum, which decides ties on the mean. */
interface Scored {
  readonly candidate: Candidate;
  /** Sum of the players' latencies in integer microseconds (exact up to 2^53). */
  readonly sumUs: number;
}

/**
 * Worst latency, then the mean compared exactly (sums over the same players, in integer
 * microseconds: at most 100 players × 10^7 µs, far inside 2^53), then preference and name.
 */
function compareLatency(a: Scored, b: Scored): number {
  return (
    (a.candidate.worstMs ?? 0) - (b.candidate.worstMs ?? 0) ||
    a.sumUs - b.sumUs ||
    comparePreference(a.candidate, b.candidate)
  );
}

const toMicros = (ms: number): number => Math.round(ms * 1000);

function rankByLatency(scored: Scored[]): Candidate[] {
  return scored.sort(compareLatency).map((s) => s.candidate);
}

function sortDropped(dropped: Dropped[]): Dropped[] {
  return dropped.sort((a, b) => byName(a.region, b.region) || byName(a.reason, b.reason));
}

/** Rank the regions for one match. Pure and deterministic; see the module comment for policy. */
export function chooseRegions(input: RegionChoiceInput): RegionChoice {
  const choice = rank(input);
  if (choice.ranked.length > 0 || !couldRankLater(input)) return choice;
  return { ...choice, failure: 'no-capacity-now' };
}

/**
 * Whether availability and cooldowns alone stand between this match and a region: the same
 * choice with every considered location available and nothing cooling down ranks one. Under
 * the preference policy with nothing considered (no preference list, and Gameye lists no
 * location for the image right now), any location Gameye lists later would be ranked.
 */
function couldRankLater(input: RegionChoiceInput): boolean {
  const considered = locationsConsidered(input);
  const preferencePolicy = input.players.every((p) => Object.keys(p.latencies).length === 0);
  if (considered.length === 0) return preferencePolicy;
  const unlisted = considered.filter((region) => !input.available.has(region));
  const everythingUp: RegionChoiceInput = {
    ...input,
    available: new Set([...input.available, ...unlisted]),
    // Tags are only checked where Gameye lists the image: an unlisted location may hold it.
    tagged: input.tagged === 'no-version-pinned' ? input.tagged : new Set([...input.tagged, ...unlisted]),
    coolingDown: new Set(),
  };
  return rank(everythingUp).ranked.length > 0;
}

function rank(input: RegionChoiceInput): RegionChoice {
  const { perLocation, noAlias, constraining } = translate(input);
  const dropped: Dropped[] = [...noAlias].map((region) => ({ region, reason: 'no-alias' as const }));

  if (constraining.length === 0) {
    const ranked: Candidate[] = [];
    for (const region of locationsConsidered(input)) {
      const drop =
        availabilityDrop(region, input) ??
        (input.coolingDown.has(region) ? { region, reason: 'cooling-down' as const } : undefined);
      if (drop) dropped.push(drop);
      else
        ranked.push({
          region,
          worstMs: null,
          meanMs: null,
          preferenceIndex: preferenceIndex(region, input.preference),
          overCap: false,
        });
    }
    ranked.sort(comparePreference);
    return finish(ranked, dropped, 'preference', 'no-eligible-region');
  }

  const withinCap: Scored[] = [];
  const overCap: Scored[] = [];
  for (const region of locationsConsidered(input)) {
    const availability = availabilityDrop(region, input);
    if (availability) {
      dropped.push(availability);
      continue;
    }
    const byPlayer = perLocation.get(region) ?? new Map<string, number>();
    const missing = constraining.filter((id) => !byPlayer.has(id));
    if (missing.length > 0) {
      dropped.push({
        region,
        reason: 'no-latency-data',
        detail: `no measurement from ${listWithMore(missing.sort(byName), MAX_NAMED_PLAYERS)}`,
      });
      continue;
    }
    if (input.coolingDown.has(region)) {
      dropped.push({ region, reason: 'cooling-down' });
      continue;
    }
    const values = [...byPlayer.values()];
    const worstMs = Math.max(...values);
    const sumUs = values.reduce((sum, v) => sum + toMicros(v), 0);
    // From the exact sum, so equal sums publish bit-identical means.
    const meanMs = sumUs / values.length / 1000;
    const candidate = { region, worstMs, meanMs, preferenceIndex: preferenceIndex(region, input.preference) };
    if (input.capMs !== undefined && worstMs > input.capMs)
      overCap.push({ candidate: { ...candidate, overCap: true }, sumUs });
    else withinCap.push({ candidate: { ...candidate, overCap: false }, sumUs });
  }

  if (withinCap.length > 0 || overCap.length === 0) {
    for (const s of overCap) dropped.push(overCapDrop(s.candidate, input.capMs));
    return finish(rankByLatency(withinCap), dropped, 'latency', 'no-eligible-region');
  }
  if (input.whenNoneMeetsCap === 'best-effort') {
    return finish(rankByLatency(overCap), dropped, 'best-effort', 'no-eligible-region');
  }
  for (const s of overCap) dropped.push(overCapDrop(s.candidate, input.capMs));
  return finish([], dropped, 'latency', 'none-within-cap');
}

function overCapDrop(c: Candidate, capMs: number | undefined): Dropped {
  return {
    region: c.region,
    reason: 'over-cap',
    detail: `worst player ${c.worstMs} ms over cap ${capMs} ms`,
  };
}

function finish(
  ranked: Candidate[],
  dropped: Dropped[],
  policy: ChoicePolicy,
  failure: ChoiceFailure,
): RegionChoice {
  const sorted = sortDropped(dropped);
  return ranked.length > 0
    ? { ranked, dropped: sorted, policy }
    : { ranked, dropped: sorted, policy, failure };
}
