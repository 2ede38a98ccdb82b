/**
 * ActiveSessionIndex over the sparse, write-sharded `active-sessions` GSI: one Query per
 * shard page (projection ALL, so no GetItem follows), shards read in parallel. 10,000 active
 * sessions in 8 shards cost 8 queries, a few more when a page passes DynamoDB's 1 MB limit.
 */
import { type DynamoDBClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fieldIssues } from '../core/issues.ts';
import type { ActiveSessionIndex } from '../core/ports.ts';
import { SessionRecord } from '../core/session-record.ts';
import { activeShards, SESSIONS_TABLE } from '../shared/sessions-table.ts';
import { SessionItemError } from './dynamo-session-store.ts';

export interface DynamoActiveSessionsProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The config's `activeShards`. */
  readonly shards: number;
  /**
   * Told about an item that is not a valid record. It is skipped: one corrupt item must not
   * stop the reaper for the whole deployment.
   */
  readonly onInvalidItem?: ((error: SessionItemError) => void) | undefined;
}

const INDEX = SESSIONS_TABLE.activeIndex;

export class DynamoActiveSessions implements ActiveSessionIndex {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #shards: readonly string[];
  readonly #onInvalidItem: ((error: SessionItemError) => void) | undefined;

  constructor(props: DynamoActiveSessionsProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#shards = activeShards(props.shards);
    this.#onInvalidItem = props.onInvalidItem;
  }

  async listActive(): Promise<SessionRecord[]> {
    const pages = await Promise.all(this.#shards.map((shard) => this.#queryShard(shard)));
    return pages.flat();
  }

  async #queryShard(shard: string): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: INDEX.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': INDEX.partitionKey.name },
          ExpressionAttributeValues: { ':shard': { S: shard } },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        try {
          out.push(parse(unmarshall(item)));
        } catch (error) {
          if (!(error instanceof SessionItemError)) throw error;
          this.#onInvalidItem?.(error);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

function parse(item: Record<string, unknown>): SessionRecord {
  const parsed = SessionRecord.safeParse(item);
  if (parsed.success) return parsed.data;
  const matchId = typeof item.matchId === 'string' ? item.matchId : '(unknown)';
  const where = fieldIssues(parsed.error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new SessionItemError(matchId, `active record of match ${matchId} is invalid: ${where}`, parsed.error);
}
