/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: one DynamoDB client with the
 * commands the session store sends, and nothing else.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

export const handler = {
  client: new DynamoDBClient({}),
  used: [GetItemCommand, PutItemCommand],
};
