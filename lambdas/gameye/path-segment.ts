/** Encoding of the caller's values that go into a request path or query. */

/** `value`, or a TypeError naming the argument when it is not a non-empty string. */
export function nonEmpty(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/** A path segment, encoded so an id like `a/b` or `..` cannot change the route. */
export function segment(value: string, name: string): string {
  return encodeURIComponent(nonEmpty(value, name)).replace(/^\.{1,2}$/, (dots) =>
    dots.replaceAll('.', '%2E'),
  );
}
