/**
 * The end-of-run summary of `npm start`, computed from the local services' actual state
 * (DynamoDB records, the DLQ, the emulator's sessions, S3 objects), not from counters the
 * simulation kept, so it can catch the bridge lying. Rendered as a table and a bar chart, or
 * as one JSON object.
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SessionRecord } from '../../../lambdas/core/session-record.ts';
import type { LocalBridge } from '../local-bridge.ts';
import type { Matchmaker } from './native-formats.ts';

export interface RunSummary {
  readonly seed: number;
  /** The format the matchmaker sent its matches in (`--matchmaker`). */
  readonly matchmaker: Matchmaker;
  readonly durationSeconds: number;
  /** What the matchmaker sent: valid matches, all deliveries of them, malformed bodies. */
  readonly sent: { readonly matches: number; readonly deliveries: number; readonly malformed: number };
  /** Matches that reached READY (whatever happened after). */
  readonly placed: number;
  /** Permanent failures: FAILED records by reason, plus rejected bodies that never had a record. */
  readonly failed: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  /** Deliveries that did not start a second server: deliveries − distinct matches placed or failed. */
  readonly duplicatesAbsorbed: number;
  readonly placementsByRegion: Readonly<Record<string, number>>;
  /** Claim → READY, from the records' timestamps. */
  readonly placementLatencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** Messages in the DLQ now. */
  readonly deadLettered: number;
  readonly stoppedByReason: Readonly<Record<string, number>>;
  readonly artifacts: { readonly objects: number; readonly bytes: number };
  readonly invariants: {
    /** No match has more than one Gameye session. */
    readonly oneSessionPerMatch: boolean;
    /** Every running Gameye session of this deployment has an active record. */
    readonly noOrphanLeft: boolean;
    /** Every archived object's SHA-256 and size equal what its manifest recorded. */
    readonly archivesIntact: boolean;
    /** Every match sent is accounted for: a record, or a DLQ message. */
    readonly nothingLost: boolean;
  };
}

export async function scanRecords(bridge: LocalBridge): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await bridge.aws.clients.dynamodb.send(
      new ScanCommand({ TableName: bridge.resources.tableName, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) out.push(SessionRecord.parse(unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Messages in a queue, visible or in flight (received and not yet deleted, or waiting out a retry delay). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface SummaryInput {
  readonly seed: number;
  readonly matchmaker: Matchmaker;
  readonly startedAt: number;
  readonly sent: RunSummary['sent'];
  /** Match ids the matchmaker sent (valid ones), to check nothing was lost. */
  readonly matchIds: readonly string[];
  /** Reasons of DLQ messages, read by the runner (peeking consumes receive counts). */
  readonly dlqReasons: readonly string[];
}

export async function computeSummary(bridge: LocalBridge, input: SummaryInput): Promise<RunSummary> {
  const records = await scanRecords(bridge);
  const byMatch = new Map(records.map((r) => [r.matchId, r]));
  const placedRecords = records.filter((r) => r.readyAt !== undefined);

  const byReason: Record<string, number> = {};
  for (const r of records)
    if (r.state === 'FAILED' && r.failure) byReason[r.failure.reason] = (byReason[r.failure.reason] ?? 0) + 1;
  // Rejected before any claim (bad body, unknown profile): only the DLQ knows them.
  const unrecorded = input.dlqReasons.length - records.filter((r) => r.state === 'FAILED').length;
  const rejected: Record<string, number> = {};
  for (const reason of input.dlqReasons) rejected[reason] = (rejected[reason] ?? 0) + 1;
  for (const [reason, n] of Object.entries(rejected)) {
    const recorded = byReason[reason] ?? 0;
    if (n > recorded) byReason[reason] = n;
  }
  const failedTotal = Object.values(byReason).reduce((a, b) => a + b, 0);

  const placementsByRegion: Record<string, number> = {};
  for (const r of placedRecords)
    if (r.region) placementsByRegion[r.region] = (placementsByRegion[r.region] ?? 0) + 1;

  const latencies = placedRecords
    .map((r) => Date.parse(r.readyAt ?? '') - Date.parse(r.createdAt))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);

  const sessions = bridge.emulator.admin.sessions();
  const perMatch = new Map<string, number>();
  for (const s of sessions) {
    const m = s.labels['bridge-match-id'];
    if (m) perMatch.set(m, (perMatch.get(m) ?? 0) + 1);
  }
  const running = sessions.filter(
    (s) => !['exited', 'dead'].includes(s.status) && s.labels['bridge-deployment'],
  );
  const activeStates = new Set(['PLACING', 'READY', 'ENDING']);
  const noOrphanLeft = running.every((s) => {
    const r = byMatch.get(s.labels['bridge-match-id'] ?? '');
    return r !== undefined && activeStates.has(r.state) && r.sessionId === s.id;
  });

  const stoppedByReason: Record<string, number> = {};
  for (const r of records) {
    const reason = (r as { endReason?: string }).endReason;
    if (r.state === 'ENDED' && reason) stoppedByReason[reason] = (stoppedByReason[reason] ?? 0) + 1;
  }

  const artifacts = await checkArchives(bridge);
  const nothingLost =
    input.matchIds.every((id) => byMatch.has(id)) &&
    (await queueDepth(bridge.aws.clients.sqs, bridge.resources.matchesQueueUrl)) === 0 &&
    unrecorded >= 0;

  return {
    seed: input.seed,
    matchmaker: input.matchmaker,
    durationSeconds: Math.round((Date.now() - input.startedAt) / 100) / 10,
    sent: input.sent,
    placed: placedRecords.length,
    failed: { total: failedTotal, byReason },
    duplicatesAbsorbed: Math.max(0, input.sent.deliveries - records.length),
    placementsByRegion,
    placementLatencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    },
    deadLettered: await queueDepth(bridge.aws.clients.sqs, bridge.resources.deadLetterQueueUrl),
    stoppedByReason,
    artifacts: { objects: artifacts.objects, bytes: artifacts.bytes },
    invariants: {
      oneSessionPerMatch: [...perMatch.values()].every((n) => n === 1),
      noOrphanLeft,
      archivesIntact: artifacts.intact,
      nothingLost,
    },
  };
}

interface ManifestFile {
  key: string;
  size: number;
  sha256: string;
}

/** Re-read every archived object, hash it, and compare with the manifests. */
async function checkArchives(
  bridge: LocalBridge,
): Promise<{ objects: number; bytes: number; intact: boolean }> {
  const s3 = bridge.aws.clients.s3;
  const bucket = bridge.resources.bucket;
  const keys: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push({ key: o.Key ?? '', size: o.Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token);
  let intact = true;
  let bytes = 0;
  let objects = 0;
  for (const { key } of keys.filter((k) => k.key.endsWith('manifest.json'))) {
    const manifest = JSON.parse(
      (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ??
        '{}',
    ) as {
      files?: ManifestFile[];
    };
    for (const f of manifest.files ?? []) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: f.key }));
      const body = Buffer.from((await obj.Body?.transformToByteArray()) ?? new Uint8Array());
      const sha = createHash('sha256').update(body).digest('hex');
      if (sha !== f.sha256 || body.length !== f.size) intact = false;
      bytes += body.length;
      objects++;
    }
  }
  return { objects, bytes, intact };
}
