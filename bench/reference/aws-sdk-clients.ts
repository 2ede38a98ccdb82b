/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: only the AWS SDK clients and
 * commands the placement function uses, built as it builds them, and no bridge code. It shows
 * how much of the function's size and cold import the SDK takes by itself.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';

export const handler = {
  clients: [new DynamoDBClient({}), new SNSClient({}), new SQSClient({}), new S3Client({})],
  used: [getSecret, GetItemCommand, PutItemCommand, PublishCommand, SendMessageCommand, Upload],
};
