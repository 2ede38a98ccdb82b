/**
 * What a match asks Gameye to start: the profile merged with the event's overrides, checked
 * against what the profile allows. Pure, and the last check before a match is claimed, so the
 * operator CLI runs it too before sending a match.
 */
import { listWithMore } from '../bounded-text.ts';
import type { BridgeConfig, Profile } from '../config.ts';
import { DEFAULT_MAX_TTL_MS, deniedEnvReason, RESERVED_LABEL_PREFIX } from '../config.ts';
import { type ErrorContext, PermanentPlacementError } from '../errors.ts';
import { MAX_OVERRIDE_KEYS, type MatchFoundV1, ttlMinutes } from '../match-event.ts';
import type { StartSessionRequest } from '../ports.ts';

/** Refused overrides named in one message; the rest are counted. */
const MAX_NAMED_REFUSALS = 10;

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
  checkOverrideLimits(event, profile, ctx);
  const allow = profile.allowOverrides;
  const refused: string[] = [];
  for (const key of Object.keys(event.env ?? {})) {
    // The deny-list holds whatever allowOverrides says (the config schema refuses it there too).
    if (deniedEnvReason(key) !== undefined || !allow.env?.includes(key)) refused.push(`env.${key}`);
  }
  for (const key of Object.keys(event.labels ?? {})) {
    if (key.startsWith(RESERVED_LABEL_PREFIX) || !allow.labels?.includes(key)) refused.push(`labels.${key}`);
  }
  if (event.args !== undefined && !allow.args) refused.push('args');
  if (event.ttl !== undefined && !allow.ttl) refused.push('ttl');
  if (refused.length > 0) {
    throw new PermanentPlacementError(
      'override-not-allowed',
      `profile ${event.profile} does not allow overriding ${listWithMore(refused, MAX_NAMED_REFUSALS)}`,
      ctx,
    );
  }
  checkTtl(event, profile, ctx);
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

/**
 * How many `env` and `labels` keys the event sets, against the profile's limits: checked
 * first, so an event with a map of thousands of keys gets one short refusal.
 */
function checkOverrideLimits(event: MatchFoundV1, profile: Profile, ctx: ErrorContext): void {
  const limits = [
    ['env', Object.keys(event.env ?? {}).length, profile.allowOverrides.maxEnvKeys, 'maxEnvKeys'],
    ['labels', Object.keys(event.labels ?? {}).length, profile.allowOverrides.maxLabelKeys, 'maxLabelKeys'],
  ] as const;
  for (const [field, count, max, setting] of limits) {
    if (count <= max) continue;
    throw new PermanentPlacementError(
      'override-not-allowed',
      `${field} sets ${count} keys, more than the ${max} profile ${event.profile} allows: send at most ${max}, ` +
        `or raise profiles.${event.profile}.allowOverrides.${setting} (at most ${MAX_OVERRIDE_KEYS})`,
      ctx,
    );
  }
}

/**
 * A `ttl` override no longer than the profile allows: `allowOverrides.maxTtlMs`, else its
 * `maxLifetimeMs` (the reaper stops the session then anyway), else 24 h.
 */
function checkTtl(event: MatchFoundV1, profile: Profile, ctx: ErrorContext): void {
  if (event.ttl === undefined) return;
  const { maxTtlMs } = profile.allowOverrides;
  const [limitMs, source] =
    maxTtlMs !== undefined
      ? [maxTtlMs, 'its allowOverrides.maxTtlMs']
      : profile.maxLifetimeMs !== undefined
        ? [profile.maxLifetimeMs, 'its maxLifetimeMs']
        : [DEFAULT_MAX_TTL_MS, 'the default when it sets no maxLifetimeMs'];
  if (ttlMinutes(event.ttl) * 60_000 <= limitMs) return;
  throw new PermanentPlacementError(
    'override-not-allowed',
    `ttl ${event.ttl} is longer than the ${duration(limitMs)} profile ${event.profile} allows (${source}): ` +
      `send a shorter ttl, or raise profiles.${event.profile}.allowOverrides.maxTtlMs`,
    ctx,
  );
}

/** `90000` → `1m30s`, `7200000` → `2h`: a limit as a person reads it. */
function duration(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text === '' ? `${ms} ms` : text;
}
