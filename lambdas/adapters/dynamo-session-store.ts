/**
 * SessionStore over DynamoDB: one item per match, every write conditional. The item is the
 * core's `SessionRecord`, validated on the way out (a corrupt item is an error with the bad
 * field's path, never a silently wrong decision).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AlreadyClaimedError, StateConflictError } from '../core/errors.ts';
import { fieldIssues } from '../core/issues.ts';
import type { SessionStore } from '../core/ports.ts';
import { SessionRecord, type SessionState } from '../core/session-record.ts';
import { SESSIONS_TABLE } from '../shared/sessions-table.ts';

/** A stored item that does not parse as a `SessionRecord`. */
export class SessionItemError extends Error {
  override readonly name = 'SessionItemError';
  readonly matchId: string;
  constructor(matchId: string, message: string, cause: unknown) {
    super(message, { cause });
    this.matchId = matchId;
  }
}

export interface DynamoSessionStoreProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

const KEY = SESSIONS_TABLE.partitionKey.name;

export class DynamoSessionStore implements SessionStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(props: DynamoSessionStoreProps) {
    this.#client = props.client;
    this.#table = props.tableName;
  }

  async get(matchId: string): Promise<SessionRecord | undefined> {
    const out = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { [KEY]: { S: matchId } }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return parseItem(matchId, unmarshall(out.Item));
  }

  async claim(record: SessionRecord): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: marshall(record, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': KEY },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new AlreadyClaimedError(`match ${record.matchId} is already claimed`, {
          matchId: record.matchId,
          sessionId: record.sessionId,
          cause: err,
        });
      }
      throw err;
    }
  }

  async transition(
    next: SessionRecord,
    expected: { readonly state: SessionState; readonly version: number },
  ): Promise<void> {
    try {
      // A whole-item put: attributes the next record lacks (activeShard once it is no longer
      // active) disappear, so the record leaves the sparse index in the same write.
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: marshall(next, { removeUndefinedValues: true }),
          ConditionExpression: '#state = :state AND #version = :version',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: {
            ':state': { S: expected.state },
            ':version': { N: String(expected.version) },
          },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new StateConflictError(
          `record of match ${next.matchId} is no longer ${expected.state} v${expected.version}`,
          { matchId: next.matchId, sessionId: next.sessionId, cause: err },
        );
      }
      throw err;
    }
  }
}

function parseItem(matchId: string, item: Record<string, unknown>): SessionRecord {
  const parsed = SessionRecord.safeParse(item);
  if (parsed.success) return parsed.data;
  const where = fieldIssues(parsed.error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new SessionItemError(
    matchId,
    `stored session record of match ${matchId} is invalid: ${where}`,
    parsed.error,
  );
}
