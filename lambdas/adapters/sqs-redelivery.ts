/**
 * Spaces out the retries of messages that failed for now, by setting each one's visibility
 * (`ChangeMessageVisibility`) to the delay the core chose. One batch call per invocation. A
 * failure here loses nothing: the message then returns after the queue's own visibility
 * timeout, as it would without this.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface Redelivery {
  readonly receiptHandle: string;
  readonly delaySeconds: number;
}

export interface SqsRedeliveryProps {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** SQS takes at most 10 entries per batch call. */
const BATCH = 10;

export class SqsRedelivery {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(props: SqsRedeliveryProps) {
    this.#client = props.client;
    this.#queueUrl = props.queueUrl;
  }

  /** Resolves with the receipt handles SQS refused (their messages keep the queue's timeout). */
  async delay(entries: readonly Redelivery[]): Promise<string[]> {
    const refused: string[] = [];
    for (let i = 0; i < entries.length; i += BATCH) {
      const chunk = entries.slice(i, i + BATCH);
      const out = await this.#client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map((e, j) => ({
            Id: String(j),
            ReceiptHandle: e.receiptHandle,
            VisibilityTimeout: e.delaySeconds,
          })),
        }),
      );
      for (const f of out.Failed ?? []) {
        const entry = chunk[Number(f.Id)];
        if (entry) refused.push(entry.receiptHandle);
      }
    }
    return refused;
  }
}
