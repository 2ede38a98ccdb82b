/**
 * Parks a permanently failed match message in the DLQ with its reason, so nothing is lost
 * and nothing is retried forever. The body is kept byte for byte;
 * the reason travels as message attributes an operator (or `bridge dlq`) reads without
 * parsing the body.
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { boundedText } from '../core/bounded-text.ts';
import { MAX_IDENTIFIER_CHARS } from '../core/events.ts';

/** SQS allows at most 10 message attributes; ours take these names. */
export const DLQ_ATTRIBUTES = {
  reason: 'bridge-failure-reason',
  message: 'bridge-failure-message',
  matchId: 'bridge-match-id',
  identifier: 'bridge-gameye-identifier',
  sourceMessageId: 'bridge-source-message-id',
  failedAt: 'bridge-failed-at',
} as const;

/**
 * Attribute names with this prefix are the bridge's: an operator and `bridge dlq` trust them.
 * A matchmaker's own `bridge-*` attributes are dropped, never copied, so it cannot forge a
 * reason or a match id (compared without case, as a reader might).
 */
export const DLQ_ATTRIBUTE_PREFIX = 'bridge-';

const MAX_ATTRIBUTES = 10;
/** Attribute values are bounded so a long zod report cannot push the message over SQS limits. */
const MAX_MESSAGE_CHARS = 2_000;

export interface DeadLetter {
  readonly body: string;
  readonly sourceMessageId: string;
  readonly reason: string;
  readonly message: string;
  readonly matchId?: string | undefined;
  readonly identifier?: string | undefined;
  /** The original message's attributes, kept where room remains (never a `bridge-*` one). */
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>> | undefined;
}

export interface SqsDeadLetterQueueProps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly now?: () => number;
}

export class SqsDeadLetterQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #now: () => number;

  constructor(props: SqsDeadLetterQueueProps) {
    this.#client = props.client;
    this.#queueUrl = props.queueUrl;
    this.#now = props.now ?? Date.now;
  }

  async park(letter: DeadLetter): Promise<void> {
    const ours: Record<string, MessageAttributeValue> = {
      [DLQ_ATTRIBUTES.reason]: str(letter.reason),
      [DLQ_ATTRIBUTES.message]: str(boundedText(letter.message, MAX_MESSAGE_CHARS)),
      [DLQ_ATTRIBUTES.sourceMessageId]: str(letter.sourceMessageId),
      [DLQ_ATTRIBUTES.failedAt]: str(new Date(this.#now()).toISOString()),
    };
    if (letter.matchId) ours[DLQ_ATTRIBUTES.matchId] = str(letter.matchId);
    if (letter.identifier)
      ours[DLQ_ATTRIBUTES.identifier] = str(boundedText(letter.identifier, MAX_IDENTIFIER_CHARS));
    const kept = Object.entries(letter.attributes ?? {})
      .filter(([name]) => !name.toLowerCase().startsWith(DLQ_ATTRIBUTE_PREFIX))
      .slice(0, MAX_ATTRIBUTES - Object.keys(ours).length);
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: letter.body.length > 0 ? letter.body : '(empty body)',
        MessageAttributes: { ...Object.fromEntries(kept), ...ours },
      }),
    );
  }
}

function str(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value.length > 0 ? value : '-' };
}
