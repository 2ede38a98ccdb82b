/**
 * Proactive negotiation on `Accept`, as RFC 9110 §12.5.1 defines it, for the one question the
 * emulator asks: may this answer be sent as `mediaType`?
 *
 * - No `Accept` header means any media type is acceptable.
 * - Each media range (`type/subtype`, `type/*`, `*\/*`) may carry parameters and a weight
 *   `q` (0 to 1, default 1); parameters after `q` are extensions and ignored.
 * - The most specific range that matches decides (a type with parameters over a bare type,
 *   over `type/*`, over `*\/*`); its `q` of 0 makes the type "not acceptable".
 * - No range matching means not acceptable. Ranges that do not parse are skipped, and a header
 *   with none that parses counts as absent (a server may disregard a malformed field).
 *
 * Written here rather than taken from `negotiator` (Express's): the project has no such
 * dependency, and the emulator needs only this yes/no for a type it knows, not a ranking.
 */

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const WEIGHT = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2
    ? value.slice(1, -1).replace(/\\(.)/g, '$1')
    : value;
}

function parseRange(text: string): MediaRange | undefined {
  const [range = '', ...rest] = text.split(';');
  const [type = '', subtype = '', extra] = range.trim().toLowerCase().split('/');
  if (extra !== undefined || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  if (type === '*' && subtype !== '*') return undefined;
  const params = new Map<string, string>();
  let q = 1;
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq === -1) return undefined;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = unquote(param.slice(eq + 1).trim());
    if (name === 'q') {
      if (!WEIGHT.test(value)) return undefined;
      q = Number(value);
      break;
    }
    params.set(name, name === 'charset' ? value.toLowerCase() : value);
  }
  return { type, subtype, params, q };
}

/** The parsed ranges of an `Accept` value; undefined when it holds none that parses. */
export function parseAccept(header: string): MediaRange[] | undefined {
  const ranges = header
    .split(',')
    .filter((part) => part.trim() !== '')
    .map(parseRange)
    .filter((range): range is MediaRange => range !== undefined);
  return ranges.length === 0 ? undefined : ranges;
}

function specificity(range: MediaRange): number {
  if (range.type === '*') return 0;
  if (range.subtype === '*') return 1;
  return 2 + range.params.size;
}

/**
 * Whether `mediaType` (e.g. `text/plain; charset=utf-8`) may be sent to a client that sent
 * `accept` (the header's value, or undefined when absent).
 */
export function isAcceptable(accept: string | string[] | undefined, mediaType: string): boolean {
  const header = Array.isArray(accept) ? accept.join(',') : accept;
  if (header === undefined) return true;
  const ranges = parseAccept(header);
  if (ranges === undefined) return true;
  const offered = parseRange(mediaType);
  if (offered === undefined) throw new TypeError(`not a media type: ${mediaType}`);
  let best: MediaRange | undefined;
  for (const range of ranges) {
    const matches =
      (range.type === '*' || range.type === offered.type) &&
      (range.subtype === '*' || range.subtype === offered.subtype) &&
      [...range.params].every(([name, value]) => offered.params.get(name) === value);
    if (matches && (best === undefined || specificity(range) > specificity(best))) best = range;
  }
  return best !== undefined && best.q > 0;
}
