/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: the placement function's
 * floor. Only what it cannot do without, created as its cold start creates it, and no bridge
 * code: the DynamoDB and SNS clients with the commands it sends, undici's Pool and request as
 * the Gameye client loads them, zod, and Powertools' logger, metrics and SQS batch processor.
 * Left out as reducible: the SQS client (it only parks a message in the DLQ or spaces a retry
 * out, so it can load on first use) and the Secrets Manager client behind Powertools' getSecret.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { Pool, request } from '../../lambdas/gameye/undici-pool.ts';

export const handler = {
  clients: [new DynamoDBClient({}), new SNSClient({})],
  logger: new Logger(),
  metrics: new Metrics(),
  processor: new BatchProcessor(EventType.SQS),
  schema: z.object({ matchId: z.string().min(1) }),
  used: [
    GetItemCommand,
    PutItemCommand,
    PublishCommand,
    marshall,
    unmarshall,
    processPartialResponse,
    Pool,
    request,
  ],
};
