/**
 * Removes credentials from text the client copies out of a response body (a gateway page's
 * excerpt, Gameye's envelope `message`, `details` and violations, a JSON parser's snippet)
 * before it goes into a {@link GameyeError}. A proxy that echoes the request headers puts
 * the bearer token into its error page; an error is logged, so the token must not survive.
 *
 * The rule, in order:
 * 1. The client's own token, verbatim, wherever it appears, whatever its shape.
 * 2. `Bearer <credential>` (any case): the credential goes, the scheme stays readable.
 * 3. JWTs (a segment starting `eyJ`, the base64 of `{"`, and two more dot-joined ones) and
 *    anything shaped like one: three dot-joined base64url segments of 10 characters or more.
 * 4. Opaque runs: 24 or more characters of the base64, base64url and hex alphabets
 *    (`A-Z a-z 0-9 + / _ -`, then `=` padding) that contain a digit or mix upper and lower
 *    case. 24 characters is 144 bits of base64, shorter than any API key or session secret
 *    worth the name, while lowercase words joined by hyphens (`session-already-stopped`) and
 *    upper-case codes (`SESSION_NOT_FOUND`) stay. Canonical UUIDs inside a run are kept and the
 *    text around them judged on its own: they are how the API names sessions and errors, and a
 *    UUID-shaped token of this client is still caught by rule 1.
 * The cost is over-redaction of a long path or identifier that mixes digits in; an error
 * keeps its status, code and `identifier`, which is what support needs.
 *
 * Written here rather than taken from a library: the secret scanners on npm look for
 * vendor-specific key formats (AWS, GitHub, Stripe), not for an opaque bearer token.
 */

/** What replaces a credential. */
export const REDACTED = '[redacted]';

const BEARER = /\b(bearer)(\s+)[^\s"'`,;<>]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const JWT_LIKE = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g;
const OPAQUE_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const UUID = /([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/;
const MIN_OPAQUE = 24;

function looksOpaque(piece: string): boolean {
  if (piece.length < MIN_OPAQUE) return false;
  return /\d/.test(piece) || (/[a-z]/.test(piece) && /[A-Z]/.test(piece));
}

function scrubRun(run: string): string {
  // split() with a capturing group puts the UUIDs at the odd indexes.
  const pieces = run.split(UUID);
  if (pieces.length === 1) return looksOpaque(run) ? REDACTED : run;
  return pieces.map((piece, i) => (i % 2 === 1 || !looksOpaque(piece) ? piece : REDACTED)).join('');
}

/** `text` with every credential replaced by {@link REDACTED}; see the module comment for the rule. */
export function scrubSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret !== '' && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  }
  return out
    .replace(BEARER, `$1$2${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(JWT_LIKE, REDACTED)
    .replace(OPAQUE_RUN, scrubRun);
}

/** A scrubber bound to the client's own secrets (its token), for the error builders. */
export type Scrub = (text: string) => string;

export function scrubberFor(knownSecrets: readonly string[]): Scrub {
  const secrets = [...knownSecrets];
  return (text) => scrubSecrets(text, secrets);
}
