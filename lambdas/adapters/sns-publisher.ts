/**
 * EventPublisher over SNS: one message per event on the `session-events` topic, with the
 * message attribute `type` so subscribers filter (SessionReady, SessionFailed, SessionEnded).
 */
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type SessionEvent, SessionEvent as SessionEventSchema } from '../core/events.ts';
import type { EventPublisher } from '../core/ports.ts';

/** SNS's limit on one message, body and attributes together: 256 KiB. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** What is sent to SNS for one event, and its size as SNS counts it. */
export interface SnsMessage {
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  /** UTF-8 bytes of the body plus each attribute's name, data type and value. */
  readonly bytes: number;
}

/** The SNS message for an event, validated: a subscriber in another language trusts this shape. */
export function snsMessageOf(event: SessionEvent): SnsMessage {
  const body = SessionEventSchema.parse(event);
  const message = JSON.stringify(body);
  const attributes: Record<string, MessageAttributeValue> = {
    type: { DataType: 'String', StringValue: body.type },
    sessionId: { DataType: 'String', StringValue: body.sessionId },
  };
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += Buffer.byteLength(value.StringValue ?? '');
  }
  return { message, attributes, bytes };
}

/**
 * An event too large for SNS. Events are bounded by construction, so this means a bound was
 * missed: refused here with the sizes rather than left to SNS's "Message too long", which
 * names neither the event nor the match.
 */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  readonly type: SessionEvent['type'];
  readonly matchId: string;
  readonly sessionId: string;
  readonly bytes: number;

  constructor(event: SessionEvent, bytes: number) {
    super(
      `${event.type} for match ${event.matchId} (session ${event.sessionId}) is ${bytes} bytes, ` +
        `over SNS's limit of ${SNS_MAX_MESSAGE_BYTES}: not published`,
    );
    this.type = event.type;
    this.matchId = event.matchId;
    this.sessionId = event.sessionId;
    this.bytes = bytes;
  }
}

export interface SnsEventPublisherProps {
  readonly client: SNSClient;
  readonly topicArn: string;
}

export class SnsEventPublisher implements EventPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(props: SnsEventPublisherProps) {
    this.#client = props.client;
    this.#topicArn = props.topicArn;
  }

  /** Publish one event; throws {@link EventTooLargeError} for one over SNS's limit. */
  async publish(event: SessionEvent): Promise<void> {
    const { message, attributes, bytes } = snsMessageOf(event);
    if (bytes > SNS_MAX_MESSAGE_BYTES) throw new EventTooLargeError(event, bytes);
    await this.#client.send(
      new PublishCommand({ TopicArn: this.#topicArn, Message: message, MessageAttributes: attributes }),
    );
  }
}
