/**
 * The local matchmaker: forms matches of players spread over the world, and decides each
 * match's fate so the run exercises every path of the bridge: normal play, duplicates,
 * malformed events, matches ended early by MatchEnded, and servers nobody joins. How a match
 * is written for each matchmaker is `native-formats.ts`.
 */
import { type Matchmaker, malformedBodies } from './native-formats.ts';
import {
  CITIES,
  DATA_CENTRES,
  distanceKm,
  latencyMs,
  type Place,
  pickWeighted,
  seededRandom,
} from './world.ts';

export type MatchFate =
  /** Players join, play, leave: the reaper stops the idle server. */
  | 'played'
  /** Nobody joins: the reaper stops it after the join grace. */
  | 'never-joined'
  /** The backend sends MatchEnded while players are still on. */
  | 'ended-early'
  /** The game server crashes mid-match: the reaper stops and archives what is left. */
  | 'crashed';

export interface PlannedMatch {
  readonly matchId: string;
  readonly profile: string;
  readonly home: string;
  readonly players: readonly { id: string; team: string; city: string; latencies: Record<string, number> }[];
  readonly fate: MatchFate;
  /** How many times the event is delivered (the matchmaker's at-least-once). */
  readonly deliveries: number;
  /** Seconds the players stay before leaving (played) or before MatchEnded (ended-early). */
  readonly playSeconds: number;
}

export interface MatchPlan {
  readonly matches: readonly PlannedMatch[];
  /** Bodies the bridge must refuse, in the run's format, with what is wrong with them. */
  readonly malformed: readonly { body: string; what: string }[];
}

export interface PlanOptions {
  readonly matches: number;
  readonly seed: number;
  readonly minPlayers?: number;
  readonly maxPlayers?: number;
  /** Share of matches delivered twice. @default 0.15 */
  readonly duplicateShare?: number;
  /** Share of matches ended early by MatchEnded. @default 0.15 */
  readonly endedEarlyShare?: number;
  /** Share of matches whose players never join. @default 0.1 */
  readonly neverJoinedShare?: number;
  /** Share of matches whose server crashes. @default 0.05 */
  readonly crashedShare?: number;
  /** Number of malformed bodies mixed in. @default ~3% of matches, at least 2 */
  readonly malformed?: number;
  /** The format the matches are sent in, which decides what a malformed body looks like. @default 'match-found' */
  readonly matchmaker?: Matchmaker;
}

const PROFILES = [
  { name: 'arena-casual', weight: 6 },
  { name: 'arena-ranked', weight: 3 },
  { name: 'brawl', weight: 1 },
];

export function planMatches(options: PlanOptions): MatchPlan {
  const rnd = seededRandom(options.seed);
  const minPlayers = options.minPlayers ?? 2;
  const maxPlayers = options.maxPlayers ?? 10;
  const matches: PlannedMatch[] = [];
  for (let i = 0; i < options.matches; i++) {
    const home = pickWeighted(CITIES, rnd);
    // Matchmakers group players by proximity: mostly the same area, now and then someone far.
    const near = CITIES.filter((c) => distanceKm(c, home) < 2_500);
    const size = minPlayers + Math.floor(rnd() * (maxPlayers - minPlayers + 1));
    const players = Array.from({ length: size }, (_, p) => {
      const city = rnd() < 0.9 ? pickWeighted(near, rnd) : pickWeighted(CITIES, rnd);
      return {
        id: `p-${options.seed}-${i}-${p}`,
        team: p % 2 === 0 ? 'red' : 'blue',
        city: city.name,
        latencies: measure(city, rnd),
      };
    });
    const r = rnd();
    const neverJoined = options.neverJoinedShare ?? 0.1;
    const endedEarly = neverJoined + (options.endedEarlyShare ?? 0.15);
    const crashed = endedEarly + (options.crashedShare ?? 0.05);
    const fate: MatchFate =
      r < neverJoined ? 'never-joined' : r < endedEarly ? 'ended-early' : r < crashed ? 'crashed' : 'played';
    matches.push({
      matchId: `sim-${options.seed}-${String(i).padStart(5, '0')}`,
      profile: pickWeighted(PROFILES, rnd).name,
      home: home.name,
      players,
      fate,
      deliveries: rnd() < (options.duplicateShare ?? 0.15) ? 2 : 1,
      playSeconds: 2 + Math.round(rnd() * 4),
    });
  }
  const count = options.malformed ?? Math.max(2, Math.round(options.matches * 0.03));
  const kinds = malformedBodies(options.matchmaker ?? 'match-found', options.seed);
  const malformed = Array.from(
    { length: count },
    (_, i) => kinds[i % kinds.length] as { body: string; what: string },
  );
  return { matches, malformed };
}

/** What a client measures: RTT to every data centre the matchmaker knows. */
function measure(from: Place, rnd: () => number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(DATA_CENTRES).map(([name, dc]) => [name, latencyMs(from, dc, rnd)]),
  );
}
