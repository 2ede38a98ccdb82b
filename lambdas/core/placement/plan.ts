/**
 * What a match asks Gameye to start: the profile merged with the event's overrides, checked
 * against what the profile allows. Pure, and the last check before a match is claimed, so the
 * operator CLI runs it too before sending a match.
 */
import type { BridgeConfig } from '../config.ts';
import { RESERVED_ENV, RESERVED_LABEL_PREFIX } from '../config.ts';
import { PermanentPlacementError } from '../errors.ts';
import type { MatchFoundV1 } from '../match-event.ts';
import type { StartSessionRequest } from '../ports.ts';

/**
 * Merge the profile with the event's overrides, rejecting any the profile does not allow.
 * The bridge's own env and labels come last so nothing can mask them.
 */
export function resolvePlan(
  event: MatchFoundV1,
  config: Readonly<BridgeConfig>,
  sessionId: string,
): Omit<StartSessionRequest, 'location'> {
  const ctx = { matchId: event.matchId, sessionId };
  const profile = Object.hasOwn(config.profiles, event.profile) ? config.profiles[event.profile] : undefined;
  if (!profile) {
    throw new PermanentPlacementError(
      'unknown-profile',
      `no profile named ${JSON.stringify(event.profile)}`,
      ctx,
    );
  }
  const allow = profile.allowOverrides;
  const refused: string[] = [];
  for (const key of Object.keys(event.env ?? {})) {
    if (RESERVED_ENV.has(key) || !allow.env?.includes(key)) refused.push(`env.${key}`);
  }
  for (const key of Object.keys(event.labels ?? {})) {
    if (key.startsWith(RESERVED_LABEL_PREFIX) || !allow.labels?.includes(key)) refused.push(`labels.${key}`);
  }
  if (event.args !== undefined && !allow.args) refused.push('args');
  if (event.ttl !== undefined && !allow.ttl) refused.push('ttl');
  if (refused.length > 0) {
    throw new PermanentPlacementError(
      'override-not-allowed',
      `profile ${event.profile} does not allow overriding ${refused.join(', ')}`,
      ctx,
    );
  }
  const args = event.args ?? profile.args;
  const ttl = event.ttl ?? profile.ttl;
  return {
    id: sessionId,
    image: profile.image,
    ...(profile.version === undefined ? {} : { version: profile.version }),
    env: {
      ...profile.env,
      ...event.env,
      MATCH_ID: event.matchId,
      MATCH_PLAYERS: JSON.stringify(event.players.map((p) => p.id)),
    },
    ...(args === undefined ? {} : { args: [...args] }),
    labels: {
      ...profile.labels,
      ...event.labels,
      'bridge-deployment': config.deploymentId,
      'bridge-match-id': event.matchId,
      'bridge-profile': event.profile,
    },
    ...(ttl === undefined ? {} : { ttl }),
    ...(profile.restart === undefined ? {} : { restart: profile.restart }),
  };
}
