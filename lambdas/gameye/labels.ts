/** Session labels as Gameye reports them (two JSON-encoded strings), decoded for callers. */
import type { DescribedSession, SessionListEntry } from './contract.ts';

/** Labels as Gameye reports them, decoded. */
export interface DecodedLabels {
  /** The caller's labels from the start request, decoded from the JSON in `labels.tags`; `{}` when missing or garbled. */
  readonly userLabels: Readonly<Record<string, string>>;
  /** What Gameye injected into the container (`GAMEYE_SESSION_ID`, `GAMEYE_HOST`), from `labels.env`. */
  readonly injectedEnv: Readonly<Record<string, string>>;
}

/** `GET /session/{id}`: the raw described session plus its decoded labels. */
export type Session = DescribedSession & DecodedLabels;
/** One entry of `GET /session`, plus its decoded labels. */
export type SessionSummary = SessionListEntry & DecodedLabels;

/**
 * Decode Gameye's reported labels: `tags` holds the caller's labels as JSON, `env` the
 * injected variables. Missing or garbled JSON yields `{}`: labels are informative, and a bad
 * one must not make a live session unreadable. Non-string values are dropped.
 */
export function decodeLabels(labels: Readonly<Record<string, string>> | undefined): DecodedLabels {
  return { userLabels: decodeJsonRecord(labels?.tags), injectedEnv: decodeJsonRecord(labels?.env) };
}

function decodeJsonRecord(json: string | undefined): Record<string, string> {
  if (json === undefined || json === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
