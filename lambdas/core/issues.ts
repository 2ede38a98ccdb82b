/** Turns zod issues into {@link FieldIssue}s whose paths a person can read in a log line. */
import type { z } from 'zod';
import { boundedText } from './bounded-text.ts';
import type { FieldIssue } from './errors.ts';

/** Issues named in one error; the rest are counted. */
export const MAX_REPORTED_ISSUES = 10;
/** A reported issue's path (a record key may be as long as the body). */
export const MAX_ISSUE_PATH_CHARS = 128;
/** A reported issue's message. */
export const MAX_ISSUE_MESSAGE_CHARS = 160;

/** `['players', 0, 'latencies', 'eu-west']` → `players[0].latencies.eu-west`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * One {@link FieldIssue} per bad field. Unknown keys are reported at their own path (zod
 * reports them once, at the parent) so every offending field is named.
 */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/**
 * The first {@link MAX_REPORTED_ISSUES} issues, each cut to a bounded path and message, and
 * one more issue saying how many were left out: an invalid body of 256 KiB can carry tens of
 * thousands of issues, and the error's message travels into SessionFailed, the DLQ and logs.
 * `total`: how many issues there were, when the caller kept only the first.
 */
export function boundedIssues(issues: readonly FieldIssue[], total = issues.length): FieldIssue[] {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => ({
    path: boundedText(i.path, MAX_ISSUE_PATH_CHARS),
    message: boundedText(i.message, MAX_ISSUE_MESSAGE_CHARS),
  }));
  const rest = total - shown.length;
  return rest > 0 ? [...shown, { path: '…', message: `and ${rest} more issues` }] : shown;
}
