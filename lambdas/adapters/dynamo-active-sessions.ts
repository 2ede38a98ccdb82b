/**
 * ActiveIndex over the sparse, write-sharded `active-sessions` GSI: one Query per shard page,
 * shards read in parallel, asking only for the attributes the reaper decides on
 * (ACTIVE_ENTRY_ATTRIBUTES), each page handed on as it arrives. The index projects whole
 * records, so a page still stops at DynamoDB's 1 MB of items read: 10,000 active sessions in 8
 * shards cost 8 to 16 queries, 100,000 about one per MB of records. What comes back is a few
 * hundred bytes per session instead of the whole record.
 */
import { type DynamoDBClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fieldIssues } from '../core/issues.ts';
import { ACTIVE_ENTRY_ATTRIBUTES, ActiveEntry, type ActiveIndex } from '../core/reaper/active-entry.ts';
import { activeShards, SESSIONS_TABLE } from '../shared/sessions-table.ts';
import { SessionItemError } from './dynamo-session-store.ts';

export interface DynamoActiveSessionsProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The config's `activeShards`. */
  readonly shards: number;
  /**
   * Told about an item that is not a valid entry. It is skipped: one corrupt item must not
   * stop the reaper for the whole deployment.
   */
  readonly onInvalidItem?: ((error: SessionItemError) => void) | undefined;
}

const INDEX = SESSIONS_TABLE.activeIndex;

/** `#a0, #a1, …` for the entry's attributes: several (`state`) are DynamoDB reserved words. */
const PROJECTION = {
  expression: ACTIVE_ENTRY_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
  names: Object.fromEntries(ACTIVE_ENTRY_ATTRIBUTES.map((name, i) => [`#a${i}`, name])),
};

export class DynamoActiveSessions implements ActiveIndex {
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

  async readActive(onPage: (entries: readonly ActiveEntry[]) => void): Promise<void> {
    await Promise.all(this.#shards.map((shard) => this.#queryShard(shard, onPage)));
  }

  async readShard(shard: string, onPage: (entries: readonly ActiveEntry[]) => void): Promise<void> {
    await this.#queryShard(shard, onPage);
  }

  async listActive(): Promise<ActiveEntry[]> {
    const all: ActiveEntry[] = [];
    await this.readActive((entries) => all.push(...entries));
    return all;
  }

  async #queryShard(shard: string, onPage: (entries: readonly ActiveEntry[]) => void): Promise<void> {
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: INDEX.name,
          KeyConditionExpression: '#shard = :shard',
          ProjectionExpression: PROJECTION.expression,
          ExpressionAttributeNames: { '#shard': INDEX.partitionKey.name, ...PROJECTION.names },
          ExpressionAttributeValues: { ':shard': { S: shard } },
          ExclusiveStartKey: start,
        }),
      );
      const entries: ActiveEntry[] = [];
      for (const item of page.Items ?? []) {
        try {
          entries.push(parse(unmarshall(item)));
        } catch (error) {
          if (!(error instanceof SessionItemError)) throw error;
          this.#onInvalidItem?.(error);
        }
      }
      onPage(entries);
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

function parse(item: Record<string, unknown>): ActiveEntry {
  const parsed = ActiveEntry.safeParse(item);
  if (parsed.success) return parsed.data;
  const matchId = typeof item.matchId === 'string' ? item.matchId : '(unknown)';
  const where = fieldIssues(parsed.error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new SessionItemError(matchId, `active record of match ${matchId} is invalid: ${where}`, parsed.error);
}
