/**
 * A local stand-in for Lambda's SQS event source mapping: sqs-consumer long-polls the queue,
 * hands each batch to the real handler as an SQS event, deletes the records the handler did
 * not report in `batchItemFailures`, and leaves the failed ones for SQS to redeliver (and,
 * after `maxReceiveCount`, to redrive to the DLQ) exactly as in AWS: a failed record comes
 * back when its visibility ends, which is the backoff the handler set, or the queue's
 * visibility timeout. Local mode therefore has the retry window AWS has.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';

export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface SqsEventSourceProps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn?: string;
  readonly handler: SqsLambdaHandler;
  /** Records per invocation (the deployed mapping's batch size). */
  readonly batchSize: number;
  /** The function's timeout: what `getRemainingTimeInMillis` counts down from. */
  readonly functionTimeoutMs: number;
  /** Concurrent pollers, like concurrent Lambda instances. @default 1 */
  readonly concurrency?: number;
  readonly onBatch?: (info: { size: number; failed: number }) => void;
  readonly onError?: (error: Error) => void;
}

export class SqsEventSource {
  readonly #consumers: Consumer[];
  readonly #polls = new EventEmitter();
  #inFlight = 0;

  constructor(props: SqsEventSourceProps) {
    const concurrency = props.concurrency ?? 1;
    this.#consumers = Array.from({ length: concurrency }, () =>
      Consumer.create({
        queueUrl: props.queueUrl,
        sqs: props.sqs,
        batchSize: props.batchSize,
        waitTimeSeconds: 1,
        pollingWaitTimeMs: 0,
        attributeNames: ['All'],
        messageAttributeNames: ['All'],
        handleMessageBatch: async (messages) => {
          this.#inFlight++;
          try {
            return await this.#invoke(props, messages);
          } finally {
            this.#inFlight--;
          }
        },
      }),
    );
    for (const c of this.#consumers) {
      c.on('error', (err) => props.onError?.(err));
      c.on('processing_error', (err) => props.onError?.(err));
      c.on('empty', () => this.#polls.emit('empty'));
    }
  }

  /**
   * Resolves at the next poll that finds the queue empty (any poller): the moment to check
   * whether the queue has drained, without polling on a timer. Rejects when `signal` aborts.
   */
  async nextEmptyPoll(signal?: AbortSignal): Promise<void> {
    await once(this.#polls, 'empty', signal ? { signal } : {});
  }

  start(): void {
    for (const c of this.#consumers) c.start();
  }

  /** Stop polling and wait for the batches in flight to finish. */
  async stop(): Promise<void> {
    for (const c of this.#consumers) c.stop({ abort: false });
    while (this.#inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  }

  async #invoke(props: SqsEventSourceProps, messages: Message[]): Promise<Message[]> {
    const deadline = Date.now() + props.functionTimeoutMs;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, props.queueArn ?? props.queueUrl)) };
    const context = fakeContext(deadline);
    let response: SQSBatchResponse;
    try {
      response = await props.handler(event, context);
    } catch (err) {
      // A thrown handler fails the whole batch, as in Lambda.
      props.onError?.(err as Error);
      response = { batchItemFailures: messages.map((m) => ({ itemIdentifier: m.MessageId ?? '' })) };
    }
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const failedCount = messages.filter((m) => failed.has(m.MessageId ?? '')).length;
    props.onBatch?.({ size: messages.length, failed: failedCount });
    return messages.filter((m) => !failed.has(m.MessageId ?? ''));
  }
}

/** An SDK `Message` as the Lambda event's `SQSRecord`. */
export function toRecord(m: Message, sourceArn: string): SQSRecord {
  const a = m.Attributes ?? {};
  const attrs: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(m.MessageAttributes ?? {})) {
    attrs[name] = {
      dataType: v.DataType ?? 'String',
      ...(v.StringValue === undefined ? {} : { stringValue: v.StringValue }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: attrs,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: sourceArn,
    awsRegion: 'local',
  };
}

/** Enough of Lambda's context for the handlers: the remaining-time clock and a request id. */
export function fakeContext(deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
