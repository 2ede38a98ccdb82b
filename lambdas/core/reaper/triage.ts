/**
 * The index pass of a reaper run: each active record's entry is decided as its page arrives,
 * against what Gameye's lists said (the run's LiveView), and kept only when the run must come
 * back to it: to act on it, to finish it, to describe its session, or to list its location
 * first. A record the run will merely keep is dropped at once, so a run over 100,000 records
 * holds the few it acts on, not the 100,000.
 */

import type { BridgeConfig } from '../config.ts';
import type { ActiveEntry } from './active-entry.ts';
import { type Decision, decide, type LiveStatus } from './lifecycle-policy.ts';
import type { LiveView } from './live-view.ts';
import type { LocationLists } from './location-lists.ts';
import { profileOf } from './reaper-context.ts';

/**
 * A location whose list shows none of the sessions of at least this many READY records is
 * suspect: Gameye may report (and filter on) other location names than those placement
 * started the sessions with. Fewer could all have ended at once.
 */
export const SUSPECT_LOCATION_RECORDS = 10;

/** Records of a suspect location whose sessions are described to learn what happened. */
export const SUSPECT_SAMPLE = 3;

/** A decision the run acts on, with what Gameye said when it was made. */
export interface Act {
  readonly entry: ActiveEntry;
  readonly decision: Exclude<Decision, { kind: 'keep' } | { kind: 'finish' }>;
  readonly live: LiveStatus | undefined;
}

/** An ENDING record to finish, with what Gameye said of its session. */
export interface Ending {
  readonly entry: ActiveEntry;
  readonly live: LiveStatus | undefined;
}

export class Triage {
  /** Records whose location was not listed yet: sorted again once it is. */
  readonly late: ActiveEntry[] = [];
  /** Records whose session the lists do not vouch for: described, within the run's bound. */
  readonly unclear: ActiveEntry[] = [];
  readonly acts: Act[] = [];
  readonly ending: Ending[] = [];
  /** Entries read from the index. */
  read = 0;
  readonly #config: Readonly<BridgeConfig>;
  readonly #view: LiveView;
  readonly #lists: LocationLists;
  readonly #now: number;
  /** READY records per listed location, and how many of their sessions its list showed. */
  readonly #readyIn = new Map<string, { records: number; shown: number }>();

  constructor(config: Readonly<BridgeConfig>, view: LiveView, lists: LocationLists, now: number) {
    this.#config = config;
    this.#view = view;
    this.#lists = lists;
    this.#now = now;
  }

  /** One page of the index, as it arrives. */
  page(entries: readonly ActiveEntry[]): void {
    this.read += entries.length;
    for (const entry of entries) this.sort(entry);
  }

  /** Decide `entry` now if the lists allow, or keep it where the run will come back to it. */
  sort(entry: ActiveEntry): void {
    const { region } = entry;
    const lists = this.#lists;
    if (region !== undefined && !lists.listed(region) && !lists.failed(region)) {
      this.late.push(entry);
      return;
    }
    const live = this.#view.claim(entry.sessionId);
    if (entry.state === 'ENDING') {
      this.decide(entry, live);
      return;
    }
    // Younger than the retry window: a redelivery may still place or adopt it; not ours yet.
    if (entry.state === 'PLACING' && this.#now - Date.parse(entry.createdAt) < this.#config.orphanGraceMs)
      return;
    // Its location's list failed: described like any session the lists cannot vouch for (the
    // bound on describes protects the run), so a list that keeps failing never lets its records
    // escape the idle and lifetime rules.
    if (region !== undefined && lists.failed(region)) {
      this.unclear.push(entry);
      return;
    }
    if (entry.state === 'READY' && region !== undefined) {
      const seen = this.#readyIn.get(region) ?? { records: 0, shown: 0 };
      seen.records += 1;
      if (live !== undefined) seen.shown += 1;
      this.#readyIn.set(region, seen);
    }
    if (live === undefined || live.liveness === undefined || live.playerCount === undefined) {
      this.unclear.push(entry);
      return;
    }
    this.decide(entry, live);
  }

  /** Decide with what is known of the session (a describe may have told more than the lists). */
  decide(entry: ActiveEntry, live: LiveStatus | undefined): void {
    const decision = decide({
      record: entry,
      live,
      profile: profileOf(this.#config, entry.profile),
      orphanGraceMs: this.#config.orphanGraceMs,
      now: this.#now,
    });
    if (decision.kind === 'finish') this.ending.push({ entry, live });
    else if (decision.kind !== 'keep') this.acts.push({ entry, decision, live });
  }

  /** Listed locations whose list showed none of the sessions of many READY records naming them. */
  suspectLocations(): string[] {
    return [...this.#readyIn]
      .filter(([, seen]) => seen.records >= SUSPECT_LOCATION_RECORDS && seen.shown === 0)
      .map(([location]) => location);
  }

  /**
   * A few unclear READY records of each suspect location, to describe first: one of their
   * sessions still running means Gameye filters on other location names than placement used;
   * none running means those sessions ended (a location lost them all).
   */
  suspectSamples(suspect: readonly string[]): ActiveEntry[] {
    return suspect.flatMap((location) =>
      this.unclear.filter((e) => e.state === 'READY' && e.region === location).slice(0, SUSPECT_SAMPLE),
    );
  }
}
