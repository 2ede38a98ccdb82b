/**
 * What Gameye said about this deployment's sessions during one run, kept compact: per session,
 * only what the policy and the orphan search decide on (liveness, player count, age), about 200
 * bytes where the listed session was a few kilobytes once parsed. At 100,000 sessions this view
 * is about 20 MB; the answers it was folded from are dropped one location at a time.
 *
 * Records claim their sessions as the index is read; a listed session no record claims is an
 * orphan candidate.
 */

import type { Liveness, LiveSession } from '../ports.ts';
import type { LiveStatus } from './lifecycle-policy.ts';

/** A listed session as the view keeps it. */
export interface SeenSession extends LiveStatus {
  readonly id: string;
  /** Epoch ms. */
  readonly created: number;
}

interface Entry {
  readonly liveness: Liveness | undefined;
  readonly playerCount: number | undefined;
  readonly created: number;
  /** Whether an active record named this session. */
  claimed: boolean;
  /** Whether a list showed it (a describe alone does not count it as listed). */
  readonly listed: boolean;
}

export class LiveView {
  readonly #byId = new Map<string, Entry>();
  #listed = 0;

  /** Distinct sessions listed so far (one shown by two lists counts once). */
  get listed(): number {
    return this.#listed;
  }

  /** Fold one list answer in; a session listed twice keeps its latest word. */
  add(sessions: readonly LiveSession[]): void {
    for (const s of sessions) this.#put(s, true);
  }

  /** What a describe said of a session (it exists). */
  set(s: LiveStatus & { readonly id: string; readonly created: number }): void {
    this.#put(s, false);
  }

  #put(s: LiveStatus & { readonly id: string; readonly created: number }, fromList: boolean): void {
    const before = this.#byId.get(s.id);
    const listed = fromList || (before?.listed ?? false);
    if (listed && !before?.listed) this.#listed += 1;
    this.#byId.set(s.id, {
      liveness: s.liveness,
      playerCount: s.playerCount,
      created: s.created,
      claimed: before?.claimed ?? false,
      listed,
    });
  }

  /** A describe answered 404: Gameye no longer knows the session. */
  forget(sessionId: string): void {
    this.#byId.delete(sessionId);
  }

  /** What Gameye said of an active record's session (undefined: not listed), marking it claimed. */
  claim(sessionId: string): LiveStatus | undefined {
    const entry = this.#byId.get(sessionId);
    if (entry === undefined) return undefined;
    entry.claimed = true;
    return entry;
  }

  /** Listed sessions that no active record claimed. */
  *unclaimed(): Generator<SeenSession> {
    for (const [id, e] of this.#byId) {
      if (!e.claimed) yield { id, liveness: e.liveness, playerCount: e.playerCount, created: e.created };
    }
  }
}
