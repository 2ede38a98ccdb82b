/**
 * Gameye's running sessions of this deployment, listed one location at a time into the run's
 * {@link LiveView}. One answer for every location would be tens of MB of JSON at a large
 * studio's size (100,000 sessions are about 45 MB, several times that once parsed and
 * validated, inside a 512 MB function); one location's answer is folded into the view and
 * dropped before the next call.
 *
 * Which locations: first those the config names and those Gameye offers for the profiles'
 * images now, before the index is read; then any location an active record runs in that was
 * not among them (a full location, say), as the index shows it. A labelled session in a
 * location none of these name (no active record there, unknown to the config, not offered
 * right now) is found once Gameye offers that location again. Last, any location a describe
 * reported for a session still running that none of these named (Gameye may report, and filter
 * on, other location names than placement used): listed by the name Gameye gave, one at a time,
 * never every location in one answer.
 */
import type { LiveView } from './live-view.ts';
import { observerOf, type ReaperDeps } from './reaper-context.ts';

/** The locations to list before the index is read: the config's and those Gameye offers now. */
export async function knownLocations(
  deps: ReaperDeps,
  hasTime: () => boolean = () => true,
): Promise<string[]> {
  const { config } = deps;
  const locations = new Set<string>([...config.regionPreference, ...Object.values(config.regionAliases)]);
  const images = new Set(Object.values(config.profiles).map((p) => p.image));
  for (const image of images) {
    if (!hasTime()) break;
    try {
      for (const location of await deps.gameye.availableLocations(image)) locations.add(location);
    } catch (error) {
      // Only a wider search for orphans is lost: every active record's location is listed anyway.
      observerOf(deps).listFailed?.(`available locations of ${image}`, error);
    }
  }
  return [...locations].sort();
}

/** The lists of one run: which locations were listed, which failed. */
export class LocationLists {
  readonly #deps: ReaperDeps;
  readonly #view: LiveView;
  readonly #listed = new Set<string>();
  readonly #failed = new Set<string>();
  #lastError: unknown;

  constructor(deps: ReaperDeps, view: LiveView) {
    this.#deps = deps;
    this.#view = view;
  }

  /** Whether the sessions of `location` are in the view (its list succeeded). */
  listed(location: string): boolean {
    return this.#listed.has(location);
  }

  /** Whether the list of `location` failed this run (its records are decided next run). */
  failed(location: string): boolean {
    return this.#failed.has(location);
  }

  /**
   * List each location not tried yet, one at a time, each only while the run has time left; a
   * failure is reported and remembered. False when time ran out first: the locations left
   * unlisted keep their records for the next run.
   */
  async list(locations: Iterable<string>, hasTime: () => boolean = () => true): Promise<boolean> {
    const { config, gameye } = this.#deps;
    for (const location of locations) {
      if (this.#listed.has(location) || this.#failed.has(location)) continue;
      if (!hasTime()) return false;
      try {
        this.#view.add(await gameye.listDeploymentSessions(config.deploymentId, location));
        this.#listed.add(location);
      } catch (error) {
        this.#failed.add(location);
        this.#lastError = error;
        observerOf(this.#deps).listFailed?.(location, error);
      }
    }
    return true;
  }

  /** Throws the last failure when every list tried failed: Gameye cannot be read at all. */
  assertSomeListed(): void {
    if (this.#listed.size === 0 && this.#failed.size > 0) throw this.#lastError;
  }
}
