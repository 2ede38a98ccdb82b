/**
 * The bridge config's region names as the operator types them: matchmaker aliases
 * (`dublin`) and Gameye locations (`eu-west-1`). Every lookup is of an own property, so a
 * name such as `toString` or `__proto__` is just a name, as it is for the bridge itself.
 */
import type { BridgeConfig } from '../../lambdas/core/config.ts';

/** A matchmaker alias (`dublin`) becomes its Gameye location (`eu-west-1`); a location stays. */
export function locationOf(config: Readonly<BridgeConfig>, region: string): string {
  return Object.hasOwn(config.regionAliases, region) ? (config.regionAliases[region] ?? region) : region;
}

/** Every Gameye location the config can place in: alias targets, then preference, de-duplicated. */
export function configuredLocations(config: Readonly<BridgeConfig>): string[] {
  return [...new Set([...config.regionPreference, ...Object.values(config.regionAliases)])];
}

/** The matchmaker aliases of a Gameye location. */
export function aliasesOf(config: Readonly<BridgeConfig>, location: string): string[] {
  return Object.entries(config.regionAliases)
    .filter(([, to]) => to === location)
    .map(([from]) => from);
}

/** A location's rank in `regionPreference` (1 first), if it is there. */
export function preferenceOf(config: Readonly<BridgeConfig>, location: string): number | undefined {
  const i = config.regionPreference.indexOf(location);
  return i === -1 ? undefined : i + 1;
}
