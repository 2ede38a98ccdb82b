/**
 * A dead-lettered match message as the operator reads it: the reason and message the bridge
 * attached (`DLQ_ATTRIBUTES`), or `max-receives` for one SQS moved by itself after too many
 * failed receives. Read by `bridge dlq` and by `send-match --wait`.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import { salvageMatchId } from '../../lambdas/core/match-event.ts';

export interface DeadLetterView {
  readonly messageId: string;
  readonly matchId: string | undefined;
  /** The bridge's reason, or `max-receives` when SQS moved it after too many failed receives. */
  readonly reason: string;
  readonly message: string | undefined;
  readonly failedAt: string | undefined;
  readonly identifier: string | undefined;
  /** The id the message had on the matches queue (what `SendMessage` answered its sender). */
  readonly sourceMessageId: string | undefined;
  /** Receives in the DLQ, this peek included. */
  readonly receiveCount: number;
  readonly sentAt: string | undefined;
  readonly body: string;
}

export function deadLetterView(m: Message): DeadLetterView {
  const attr = (name: string): string | undefined => {
    const attributes = m.MessageAttributes ?? {};
    const v = Object.hasOwn(attributes, name) ? attributes[name]?.StringValue : undefined;
    // The adapter writes '-' for an empty value (SQS refuses empty attributes).
    return v === undefined || v === '-' ? undefined : v;
  };
  const body = m.Body ?? '';
  let matchId = attr(DLQ_ATTRIBUTES.matchId);
  if (matchId === undefined) {
    try {
      matchId = salvageMatchId(JSON.parse(body));
    } catch {
      // Not JSON: no match id to show.
    }
  }
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    matchId,
    reason: attr(DLQ_ATTRIBUTES.reason) ?? 'max-receives',
    message:
      attr(DLQ_ATTRIBUTES.message) ??
      (attr(DLQ_ATTRIBUTES.reason)
        ? undefined
        : 'moved by SQS after repeated failed receives (transient failures)'),
    failedAt: attr(DLQ_ATTRIBUTES.failedAt),
    identifier: attr(DLQ_ATTRIBUTES.identifier),
    sourceMessageId: attr(DLQ_ATTRIBUTES.sourceMessageId),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    body,
  };
}
