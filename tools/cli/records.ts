/**
 * Reading session records for the operator: one by match id, or many through the sparse
 * active index (shard by shard, `createdAt` as the "older than" key condition) and, only for
 * ENDED/FAILED, a table scan. Items that do not parse are reported, never silently skipped.
 */
import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fieldIssues } from '../../lambdas/core/issues.ts';
import { ACTIVE_STATES, SessionRecord, type SessionState } from '../../lambdas/core/session-record.ts';
import { activeShards, SESSIONS_TABLE } from '../../lambdas/shared/sessions-table.ts';
import { FailedError } from './errors.ts';
import type { Target } from './target.ts';

const KEY = SESSIONS_TABLE.partitionKey.name;
const INDEX = SESSIONS_TABLE.activeIndex;

export interface RecordQuery {
  readonly states: ReadonlySet<SessionState>;
  /** Only records created before this ISO time. */
  readonly createdBefore?: string | undefined;
}

export interface RecordListing {
  readonly records: SessionRecord[];
  /** `index` when only the active index was read; `index+scan` when ENDED/FAILED needed a scan. */
  readonly source: 'index' | 'index+scan' | 'scan';
  /** Items that are not valid records: `matchId: problem`. */
  readonly invalid: string[];
}

export async function getRecord(target: Target, matchId: string): Promise<SessionRecord | undefined> {
  const out = await target.clients.dynamodb.send(
    new GetItemCommand({
      TableName: target.resources.tableName,
      Key: { [KEY]: { S: matchId } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const parsed = SessionRecord.safeParse(unmarshall(out.Item));
  if (parsed.success) return parsed.data;
  const where = fieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`);
  throw new FailedError(`the stored record of ${matchId} is not a valid session record`, {
    code: 'INVALID_RECORD',
    details: where,
  });
}

/** The record of a match, or exit 1 saying there is none. */
export async function requireRecord(target: Target, matchId: string): Promise<SessionRecord> {
  const record = await getRecord(target, matchId);
  if (!record) {
    throw new FailedError(`no session record for match ${matchId} in ${target.label}`, {
      code: 'NOT_FOUND',
      details: ['List recent matches with `bridge sessions --all`.'],
    });
  }
  return record;
}

export async function listRecords(
  target: Target,
  query: RecordQuery,
  shardCount: number,
): Promise<RecordListing> {
  const records: SessionRecord[] = [];
  const invalid: string[] = [];
  const keep = (item: Record<string, AttributeValue>): void => {
    const raw = unmarshall(item);
    const parsed = SessionRecord.safeParse(raw);
    if (!parsed.success) {
      const first = fieldIssues(parsed.error)[0];
      invalid.push(`${String(raw[KEY])}: ${first ? `${first.path}: ${first.message}` : 'invalid'}`);
    } else if (query.states.has(parsed.data.state)) records.push(parsed.data);
  };
  const wantsActive = [...query.states].some((s) => ACTIVE_STATES.has(s));
  const wantsInactive = [...query.states].some((s) => !ACTIVE_STATES.has(s));

  if (wantsActive) {
    await Promise.all(
      activeShards(shardCount).map(async (shard) => {
        let start: Record<string, AttributeValue> | undefined;
        do {
          const input: QueryCommandInput = {
            TableName: target.resources.tableName,
            IndexName: INDEX.name,
            KeyConditionExpression:
              query.createdBefore === undefined
                ? '#shard = :shard'
                : '#shard = :shard AND #created < :before',
            ExpressionAttributeNames: {
              '#shard': INDEX.partitionKey.name,
              ...(query.createdBefore === undefined ? {} : { '#created': INDEX.sortKey.name }),
            },
            ExpressionAttributeValues: {
              ':shard': { S: shard },
              ...(query.createdBefore === undefined ? {} : { ':before': { S: query.createdBefore } }),
            },
            ExclusiveStartKey: start,
          };
          const out = await target.clients.dynamodb.send(new QueryCommand(input));
          for (const item of out.Items ?? []) keep(item);
          start = out.LastEvaluatedKey;
        } while (start);
      }),
    );
  }
  if (wantsInactive) {
    const states = [...query.states].filter((s) => !ACTIVE_STATES.has(s));
    let start: Record<string, AttributeValue> | undefined;
    do {
      const values: Record<string, AttributeValue> = Object.fromEntries(
        states.map((s, i) => [`:s${i}`, { S: s }]),
      );
      const input: ScanCommandInput = {
        TableName: target.resources.tableName,
        FilterExpression: `#state IN (${states.map((_, i) => `:s${i}`).join(', ')})${
          query.createdBefore === undefined ? '' : ' AND #created < :before'
        }`,
        ExpressionAttributeNames: {
          '#state': 'state',
          ...(query.createdBefore === undefined ? {} : { '#created': INDEX.sortKey.name }),
        },
        ExpressionAttributeValues: {
          ...values,
          ...(query.createdBefore === undefined ? {} : { ':before': { S: query.createdBefore } }),
        },
        ExclusiveStartKey: start,
      };
      const out = await target.clients.dynamodb.send(new ScanCommand(input));
      for (const item of out.Items ?? []) keep(item);
      start = out.LastEvaluatedKey;
    } while (start);
  }
  records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.matchId.localeCompare(b.matchId));
  return { records, invalid, source: wantsInactive ? (wantsActive ? 'index+scan' : 'scan') : 'index' };
}
