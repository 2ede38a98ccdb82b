/** Turns zod issues into {@link FieldIssue}s whose paths a person can read in a log line. */
import type { z } from 'zod';
import type { FieldIssue } from './errors.ts';

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
