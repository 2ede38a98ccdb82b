/**
 * The ranked regions for one match: Gameye's availability for the image (cached briefly), the
 * tag of a pinned version per region (cached), and the regions cooling down after "no
 * capacity", handed to the pure `chooseRegions`.
 */
import type { MatchFoundV1 } from '../match-event.ts';
import type { StartSessionRequest } from '../ports.ts';
import type { PlacementDeps } from './place-match.ts';
import { chooseRegions, locationsConsidered, type RegionChoice } from './region-choice.ts';

export async function chooseFor(
  match: MatchFoundV1,
  request: Omit<StartSessionRequest, 'location'>,
  deps: Pick<PlacementDeps, 'config' | 'gameye' | 'state'>,
): Promise<RegionChoice> {
  const { config, gameye, state } = deps;
  const { image, version } = request;
  const available = new Set(await state.locations.getOrLoad(image, () => gameye.availableLocations(image)));
  const base = {
    players: match.players,
    aliases: config.regionAliases,
    available,
    coolingDown: state.cooldown.active(),
    capMs: config.latency.capMs,
    whenNoneMeetsCap: config.latency.whenNoneMeetsCap,
    preference: config.regionPreference,
  };
  if (version === undefined) return chooseRegions({ ...base, tagged: 'no-version-pinned' });
  const regions = locationsConsidered(base).filter((r) => available.has(r));
  const checked = await Promise.all(
    regions.map(async (region) => {
      const key = `${region}\n${image}\n${version}`;
      const exists = await state.tags.getOrLoad(key, () => gameye.tagExists(region, image, version));
      return exists ? [region] : [];
    }),
  );
  return chooseRegions({ ...base, tagged: new Set(checked.flat()) });
}
