/**
 * What placement keeps between invocations of one warm Lambda instance: Gameye's answers about
 * availability and tags (cached briefly) and the regions cooling down after "no capacity".
 */
import type { BridgeConfig } from '../config.ts';
import type { Clock } from '../ports.ts';
import { RegionCooldown, TtlCache } from '../ttl-cache.ts';

/** Caches and cooldowns that outlive one invocation: create once per Lambda instance. */
export interface PlacementState {
  /** image → available location ids. */
  readonly locations: TtlCache<string, readonly string[]>;
  /** `region\nimage\nversion` → whether the tag is in that region's fleet. */
  readonly tags: TtlCache<string, boolean>;
  readonly cooldown: RegionCooldown;
}

export function createPlacementState(config: Readonly<BridgeConfig>, clock: Clock): PlacementState {
  return {
    locations: new TtlCache({ clock, ttlMs: config.cache.availableLocationsTtlMs }),
    tags: new TtlCache({ clock, ttlMs: config.cache.tagTtlMs }),
    cooldown: new RegionCooldown({ clock, cooldownMs: config.cooldownMs }),
  };
}
