/** Human rendering of the run summary: a table, a bar chart of regions, and the invariants. */
import Table from 'cli-table3';
import type { RunSummary } from './summary.ts';

const tick = (ok: boolean): string => (ok ? '✔ held' : '✘ BROKEN');

export function renderSummary(s: RunSummary): string {
  const lines: string[] = [];
  const t = new Table({ style: { head: [], border: [] } });
  const failed = Object.entries(s.failed.byReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const stopped = Object.entries(s.stoppedByReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  t.push(
    [
      'matches sent',
      `${s.sent.matches} (${s.sent.deliveries} deliveries, ${s.sent.malformed} malformed bodies)`,
    ],
    ['placed', String(s.placed)],
    ['failed', s.failed.total === 0 ? '0' : `${s.failed.total}: ${failed}`],
    ['duplicates absorbed', String(s.duplicatesAbsorbed)],
    [
      'placement latency',
      `p50 ${s.placementLatencyMs.p50} ms · p95 ${s.placementLatencyMs.p95} ms · p99 ${s.placementLatencyMs.p99} ms`,
    ],
    ['in the DLQ', String(s.deadLettered)],
    ['sessions stopped', stopped === '' ? '0' : stopped],
    ['artifacts archived', `${s.artifacts.objects} objects, ${formatBytes(s.artifacts.bytes)}`],
  );
  lines.push(
    `Run summary (seed ${s.seed}, matchmaker ${s.matchmaker}, ${s.durationSeconds} s), read back from the local services:`,
  );
  lines.push(t.toString());
  lines.push('', 'Placements per region:');
  lines.push(barChart(s.placementsByRegion));
  lines.push('', 'Invariants:');
  lines.push(`  one Gameye session per match   ${tick(s.invariants.oneSessionPerMatch)}`);
  lines.push(`  nothing lost                   ${tick(s.invariants.nothingLost)}`);
  lines.push(`  no orphan left running         ${tick(s.invariants.noOrphanLeft)}`);
  lines.push(`  every archive's SHA-256 holds  ${tick(s.invariants.archivesIntact)}`);
  return lines.join('\n');
}

export function barChart(values: Readonly<Record<string, number>>, width = 40): string {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '  (none)';
  const max = Math.max(...entries.map(([, v]) => v));
  const label = Math.max(...entries.map(([k]) => k.length));
  return entries
    .map(([k, v]) => `  ${k.padEnd(label)} ${'█'.repeat(Math.max(1, Math.round((v / max) * width)))} ${v}`)
    .join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
