/** Items the adapters cannot read, written straight to the table as a hand edit would. */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESSIONS_TABLE } from '../../lambdas/shared/sessions-table.ts';

/**
 * Put an item that sits in the active-sessions index (it has a shard and a creation time) but
 * is no valid session record: its `state` is not a state.
 */
export async function putCorruptActiveItem(
  dynamodb: DynamoDBClient,
  tableName: string,
  matchId: string,
  shard = 'active#0',
): Promise<void> {
  const idx = SESSIONS_TABLE.activeIndex;
  await dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        [SESSIONS_TABLE.partitionKey.name]: { S: matchId },
        [idx.partitionKey.name]: { S: shard },
        [idx.sortKey.name]: { S: '2030-01-01T00:00:00.000Z' },
        state: { S: 'NOT-A-STATE' },
      },
    }),
  );
}
