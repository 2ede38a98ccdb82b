/**
 * Region choice as a pure function: same input, same answer, and the answer explains itself
 * (every region considered is either ranked or dropped with a reason), because the ranking is
 * published in SessionReady and is what an operator reads when players complain.
 *
 * Decisions (DESIGN.md "Region choice" leaves these open):
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
 */

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
  readonly failure?: 'no-eligible-region' | 'none-within-cap';
}

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

function compareLatency(a: Candidate, b: Candidate): number {
  return (a.worstMs ?? 0) - (b.worstMs ?? 0) || (a.meanMs ?? 0) - (b.meanMs ?? 0) || comparePreference(a, b);
}

function sortDropped(dropped: Dropped[]): Dropped[] {
  return dropped.sort((a, b) => byName(a.region, b.region) || byName(a.reason, b.reason));
}

/** Rank the regions for one match. Pure and deterministic; see the module comment for policy. */
export function chooseRegions(input: RegionChoiceInput): RegionChoice {
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

  const withinCap: Candidate[] = [];
  const overCap: Candidate[] = [];
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
        detail: `no measurement from ${missing.sort(byName).join(', ')}`,
      });
      continue;
    }
    if (input.coolingDown.has(region)) {
      dropped.push({ region, reason: 'cooling-down' });
      continue;
    }
    // Summing in sorted order makes the mean bit-identical however the players are ordered.
    const values = [...byPlayer.values()].sort((a, b) => a - b);
    const worstMs = values[values.length - 1] ?? 0;
    const meanMs = values.reduce((sum, v) => sum + v, 0) / values.length;
    const candidate = { region, worstMs, meanMs, preferenceIndex: preferenceIndex(region, input.preference) };
    if (input.capMs !== undefined && worstMs > input.capMs) overCap.push({ ...candidate, overCap: true });
    else withinCap.push({ ...candidate, overCap: false });
  }

  if (withinCap.length > 0 || overCap.length === 0) {
    for (const c of overCap) dropped.push(overCapDrop(c, input.capMs));
    return finish(withinCap.sort(compareLatency), dropped, 'latency', 'no-eligible-region');
  }
  if (input.whenNoneMeetsCap === 'best-effort') {
    return finish(overCap.sort(compareLatency), dropped, 'best-effort', 'no-eligible-region');
  }
  for (const c of overCap) dropped.push(overCapDrop(c, input.capMs));
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
  failure: 'no-eligible-region' | 'none-within-cap',
): RegionChoice {
  const sorted = sortDropped(dropped);
  return ranked.length > 0
    ? { ranked, dropped: sorted, policy }
    : { ranked, dropped: sorted, policy, failure };
}
