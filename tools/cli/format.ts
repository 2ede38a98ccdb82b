/**
 * Output: plain tables for people (cli-table3, no colours so output pastes cleanly into an
 * incident channel), one JSON document for scripts, and the small parsers for durations.
 */
import Table from 'cli-table3';
import { UsageError } from './errors.ts';
import type { CliWriter } from './io.ts';

export type Cell = string | number | boolean | undefined | null;

/** No colours (output pastes cleanly into an incident channel), no rules between rows. */
const PLAIN = { head: [] as string[], border: [] as string[], compact: true };

/** A table with a header row. Empty cells print as `-`. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const t = new Table({ head: [...head], style: PLAIN });
  for (const row of rows) t.push(row.map(cell));
  return t.toString();
}

/** A two-column "field / value" table for one object. */
export function keyValues(rows: readonly (readonly [string, Cell])[]): string {
  const t = new Table({ style: PLAIN });
  for (const [k, v] of rows) t.push({ [k]: cell(v) });
  return t.toString();
}

function cell(value: Cell): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function writeLine(out: CliWriter, text = ''): void {
  out.write(`${text}\n`);
}

/** The `--json` answer: exactly one document on stdout. */
export function writeJson(out: CliWriter, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `90s`, `10m`, `2h30m`, `1d`: a positive duration in ms. `option` names the flag in the
 * error so the operator knows which value to fix.
 */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== trimmed) {
    throw new UsageError(`${option}: expected a duration such as 90s, 10m, 2h30m or 1d, got '${text}'`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as keyof typeof UNIT_MS], 0);
  if (ms <= 0) throw new UsageError(`${option}: expected a duration above zero, got '${text}'`);
  return ms;
}

/** `3m 12s`, `2h 5m`, `4d 3h`: compact, for "age" columns. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function age(iso: string | undefined, now: number): string | undefined {
  if (iso === undefined) return undefined;
  return humanDuration(now - Date.parse(iso));
}
