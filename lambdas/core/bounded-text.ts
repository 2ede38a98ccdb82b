/**
 * Bounds on free text that leaves the bridge (events, session records, DLQ attributes). Every
 * such string is built from input a matchmaker or Gameye controls, so each is cut to a known
 * size where it is made: SNS refuses messages over 256 KB and DynamoDB items over 400 KB, and
 * an operator reads the first lines of a reason, not the ten-thousandth.
 *
 * Written here rather than taken from a library: the two functions are a few lines each and
 * must count UTF-16 code units the way the schemas' `max()` does.
 */

/** Appended to a string that was cut. */
export const ELLIPSIS = '…';

/**
 * `text` when it has at most `maxChars` characters (UTF-16 code units, as zod's `max()`
 * counts), else its start followed by `…`, `maxChars` long in all. Never splits a surrogate
 * pair, so the result is valid UTF-16.
 */
export function boundedText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - ELLIPSIS.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/**
 * The first `max` items joined by `, `, and `and N more` when there are others:
 * `p1, p2, p3 and 97 more`. Each item is cut to `maxItemChars`.
 */
export function listWithMore(items: readonly string[], max: number, maxItemChars = 128): string {
  const shown = items.slice(0, max).map((item) => boundedText(item, maxItemChars));
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
