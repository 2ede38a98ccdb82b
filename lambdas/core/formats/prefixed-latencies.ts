/**
 * Per-region latencies read from a matchmaker's key/value attributes whose keys carry a
 * configured prefix (`latency-ms.eu-west-1` → `eu-west-1`): Open Match 2's `doubleArgs` and
 * Nakama's matchmaker properties. Every bad key or value is recorded as an issue at its own
 * path, in the matchmaker's terms; nothing throws.
 */
import { isLatencyMs, isRegionName, LatencyMs, MAX_LATENCIES_PER_PLAYER } from '../match-event.ts';

/** A bad field, named by its path in the matchmaker's own message. */
export interface FormatIssue {
  readonly path: string;
  readonly message: string;
}

export interface PrefixedLatenciesInput {
  /** The attributes, as found (values not checked yet). */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly prefix: string;
  /** Where the attributes sit in the message, e.g. `entries[0].properties`. */
  readonly at: string;
  /** How a person calls these keys in an error, e.g. `properties` or `keys`. */
  readonly keysAre: string;
  /** What to say of a value that is not a number at all. */
  readonly notANumber: string;
  readonly issues: FormatIssue[];
}

export function prefixedLatencies(input: PrefixedLatenciesInput): Record<string, number> {
  const { attributes, prefix, at, issues } = input;
  const latencies: Record<string, number> = {};
  let count = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(prefix)) continue;
    const path = `${at}.${key}`;
    const region = key.slice(prefix.length);
    if (!isRegionName(region)) {
      issues.push({ path, message: `expected ${prefix}<region>, a region name of letters, digits, - and _` });
      continue;
    }
    if (!isLatencyMs(value)) {
      issues.push({
        path,
        message:
          typeof value === 'number'
            ? (LatencyMs.safeParse(value).error?.issues[0]?.message ?? 'expected a latency in ms')
            : input.notANumber,
      });
      continue;
    }
    count++;
    // Own properties only (`Object.defineProperty`), whatever the region is called.
    Object.defineProperty(latencies, region, { value, enumerable: true, writable: true, configurable: true });
  }
  if (count > MAX_LATENCIES_PER_PLAYER) {
    issues.push({
      path: at,
      message: `expected at most ${MAX_LATENCIES_PER_PLAYER} latencies (${input.keysAre} ${prefix}*), got ${count}`,
    });
  }
  return latencies;
}
