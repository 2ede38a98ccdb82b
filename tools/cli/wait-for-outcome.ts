/**
 * `send-match --wait`: watch a sent match until the bridge has settled it. Two places can
 * hold the answer. The session record says READY or FAILED once placement has claimed the
 * match; a rejection before the claim (an override the profile does not allow, say) writes no
 * record, only a copy of the message in the DLQ with the reason as message attributes. So both
 * are read, each round, until one answers or the time is up.
 *
 * Neither DynamoDB nor SQS can notify a terminal, so this polls, with a delay that doubles
 * from {@link FIRST_DELAY_MS} to {@link MAX_DELAY_MS}: a fast placement is seen at once, a slow
 * one costs two small requests a second. The clock is the caller's, so a test can run the
 * whole budget without waiting it out.
 */
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../lambdas/adapters/sqs-dead-letter.ts';
import type { SessionRecord } from '../../lambdas/core/session-record.ts';
import { type DeadLetterView, deadLetterView } from './dead-letter-view.ts';
import type { CliClock } from './io.ts';
import { getRecord } from './records.ts';
import type { Target } from './target.ts';

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 1_000;

/** The message `send-match` put on the matches queue. */
export interface SentMatch {
  readonly matchId: string;
  /** What SendMessage answered: the DLQ copy carries it as `bridge-source-message-id`. */
  readonly messageId: string | undefined;
}

export type MatchOutcome =
  /** The record left PLACING: READY, or FAILED with its reason. */
  | { readonly kind: 'settled'; readonly record: SessionRecord }
  /** Refused before the claim: no record, the reason is on the DLQ copy. */
  | { readonly kind: 'dead-lettered'; readonly letter: DeadLetterView }
  /** Time ran out (or Ctrl-C): the record as last seen, if any. */
  | { readonly kind: 'pending'; readonly record: SessionRecord | undefined };

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly clock: CliClock;
  readonly signal?: AbortSignal | undefined;
}

export async function waitForOutcome(
  target: Target,
  sent: SentMatch,
  options: WaitOptions,
): Promise<MatchOutcome> {
  const { clock, signal } = options;
  const deadline = clock.now() + options.timeoutMs;
  let delay = FIRST_DELAY_MS;
  let last: SessionRecord | undefined;
  while (!signal?.aborted) {
    const [record, letter] = await Promise.all([getRecord(target, sent.matchId), deadLetterOf(target, sent)]);
    if (record) last = record;
    // The record first: a FAILED record holds the same reason as its DLQ copy, and more.
    if (record && record.state !== 'PLACING') return { kind: 'settled', record };
    if (letter) return { kind: 'dead-lettered', letter };
    const left = deadline - clock.now();
    if (left <= 0) break;
    await clock.sleep(Math.min(delay, left), signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
  return { kind: 'pending', record: last };
}

/**
 * The DLQ copy of this very message, if the bridge parked it. Peeks: `VisibilityTimeout: 0`
 * leaves every message visible, so `bridge dlq`, a redrive or another operator sees them as
 * before. A copy of the same match parked earlier (another message) is not this send's answer,
 * hence the source message id must match too. SQS answers a receive with at most 10 messages
 * from a sample of its servers, so in a crowded DLQ the copy may show up a round or two late.
 */
async function deadLetterOf(target: Target, sent: SentMatch): Promise<DeadLetterView | undefined> {
  if (sent.messageId === undefined) return undefined;
  const out = await target.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: target.resources.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      MessageAttributeNames: Object.values(DLQ_ATTRIBUTES),
    }),
  );
  const ours = (out.Messages ?? []).find((m: Message) => {
    const attributes = m.MessageAttributes ?? {};
    const value = (name: string) =>
      Object.hasOwn(attributes, name) ? attributes[name]?.StringValue : undefined;
    return (
      value(DLQ_ATTRIBUTES.matchId) === sent.matchId &&
      value(DLQ_ATTRIBUTES.sourceMessageId) === sent.messageId
    );
  });
  return ours ? deadLetterView(ours) : undefined;
}
