/**
 * EventPublisher over SNS: one message per event on the `session-events` topic, with the
 * message attribute `type` so subscribers filter (SessionReady, SessionFailed, SessionEnded).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type SessionEvent, SessionEvent as SessionEventSchema } from '../core/events.ts';
import type { EventPublisher } from '../core/ports.ts';

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

  async publish(event: SessionEvent): Promise<void> {
    // Validate on the way out too: a subscriber in another language trusts this shape.
    const body = SessionEventSchema.parse(event);
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Message: JSON.stringify(body),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: body.type },
          sessionId: { DataType: 'String', StringValue: body.sessionId },
        },
      }),
    );
  }
}
