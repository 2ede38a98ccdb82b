/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: the reaper's floor. Only
 * what it cannot do without, created as its cold start creates it, and no bridge code: the
 * DynamoDB and SNS clients with the commands it sends, the S3 client with lib-storage's
 * multipart Upload, undici's Pool and request as the Gameye client loads them, zod, and
 * Powertools' logger and metrics. Left out: the Secrets Manager client behind Powertools'
 * getSecret.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Upload } from '@aws-sdk/lib-storage';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { Pool, request } from '../../lambdas/gameye/undici-pool.ts';

export const handler = {
  clients: [new DynamoDBClient({}), new SNSClient({}), new S3Client({})],
  logger: new Logger(),
  metrics: new Metrics(),
  schema: z.object({ matchId: z.string().min(1) }),
  used: [
    GetItemCommand,
    PutItemCommand,
    QueryCommand,
    PublishCommand,
    Upload,
    marshall,
    unmarshall,
    Pool,
    request,
  ],
};
