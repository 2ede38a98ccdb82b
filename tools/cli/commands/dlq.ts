/**
 * `bridge dlq` (peek at the dead-letter queue with each message's reason, deleting nothing)
 * and `bridge dlq redrive` (move the messages back to the matches queue).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { DLQ_ATTRIBUTES } from '../../../lambdas/adapters/sqs-dead-letter.ts';
import type { CommandContext } from '../context.ts';
import { type DeadLetterView, deadLetterView } from '../dead-letter-view.ts';
import { isConnectionFailure, UsageError } from '../errors.ts';
import { table, writeJson, writeLine } from '../format.ts';
import type { Target } from '../target.ts';

/**
 * While peeking, received messages are hidden this long, so the walk sees each once; they are
 * made visible again as soon as the walk ends. If the CLI dies mid-walk they reappear by
 * themselves after this.
 */
const PEEK_VISIBILITY_SECONDS = 30;
/** Moving one by one: a message being moved is hidden this long (send + delete take ms). */
const MOVE_VISIBILITY_SECONDS = 60;
const DEFAULT_MAX = 1000;

export function registerDlq(program: Command, ctx: CommandContext): void {
  const dlq = program
    .command('dlq')
    .summary('list dead-lettered match messages with their reasons (nothing is deleted)')
    .description(
      'Peek at the dead-letter queue: every message with why it failed. Permanent failures carry\n' +
        "the bridge's reason (invalid-event, unknown-profile, ...); messages SQS moved after\n" +
        'repeated transient failures show `max-receives`. Nothing is deleted: messages are hidden for\n' +
        `at most ${PEEK_VISIBILITY_SECONDS} s while being read and made visible again right after.`,
    )
    .option('--max <n>', `read at most n messages (default ${DEFAULT_MAX})`)
    .option('--body', 'show message bodies in the table')
    .action(async (options: { max?: string; body?: boolean }, command: Command) => {
      const max = parseMax(options.max);
      await ctx.withTarget(command, async (target, globals) => {
        const depth = await queueDepth(target, target.resources.deadLetterQueueUrl);
        const letters = await peek(target, max);
        if (globals.json) {
          writeJson(ctx.io.stdout, { approximateDepth: depth, count: letters.length, messages: letters });
          return 0;
        }
        if (letters.length === 0) {
          writeLine(ctx.io.stdout, 'The dead-letter queue is empty.');
          return 0;
        }
        writeLine(ctx.io.stdout, letterTable(letters, options.body === true));
        writeLine(ctx.io.stdout, summary(letters, depth));
        return 0;
      });
    });

  dlq
    .command('redrive')
    .summary('move dead-lettered messages back to the matches queue')
    .description(
      'Move every message from the dead-letter queue back to the matches queue, to be placed again.\n' +
        'Uses SQS StartMessageMoveTask where the queue supports it; otherwise (the local stack) each\n' +
        'message is received, sent to the matches queue and then deleted: a crash in between can only\n' +
        'duplicate a message, which placement absorbs (one session per match).\n' +
        'Messages that failed permanently (invalid-event, unknown-profile) will fail again unless the\n' +
        'cause was fixed: look first with `bridge dlq` or `--dry-run`.',
    )
    .option('--dry-run', 'show what would move; move nothing')
    .option('--max <n>', `move at most n messages one by one (default ${DEFAULT_MAX}; implies one-by-one)`)
    .action(async (options: { dryRun?: boolean; max?: string }, command: Command) => {
      const max = parseMax(options.max);
      await ctx.withTarget(command, async (target, globals) => {
        if (options.dryRun) {
          const letters = await peek(target, max);
          if (globals.json) {
            writeJson(ctx.io.stdout, { dryRun: true, wouldMove: letters.length, messages: letters });
          } else if (letters.length === 0) {
            writeLine(ctx.io.stdout, 'The dead-letter queue is empty: nothing to redrive.');
          } else {
            writeLine(ctx.io.stdout, letterTable(letters, false));
            writeLine(
              ctx.io.stdout,
              `Dry run: would move ${letters.length} message(s) to the matches queue.`,
            );
          }
          return 0;
        }
        let result: {
          method: 'move-task' | 'one-by-one';
          moved?: number;
          taskHandle?: string;
          note?: string;
        };
        const task =
          options.max === undefined ? await tryMoveTask(target) : { unsupported: 'a --max was given' };
        if ('taskHandle' in task) {
          result = { method: 'move-task', taskHandle: task.taskHandle };
        } else {
          result = { method: 'one-by-one', moved: await moveOneByOne(target, max), note: task.unsupported };
        }
        if (globals.json) writeJson(ctx.io.stdout, result);
        else if (result.method === 'move-task') {
          writeLine(
            ctx.io.stdout,
            `Started an SQS message move task (${result.taskHandle}); messages move over the next minutes. Check with \`bridge dlq\`.`,
          );
        } else {
          writeLine(ctx.io.stdout, `Moved ${result.moved} message(s) back to the matches queue.`);
        }
        return 0;
      });
    });
}

function parseMax(max: string | undefined): number {
  if (max === undefined) return DEFAULT_MAX;
  const n = Number(max);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max: expected a positive integer, got '${max}'`);
  return n;
}

async function queueDepth(target: Target, queueUrl: string): Promise<number | undefined> {
  const out = await target.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const n = Number(out.Attributes?.ApproximateNumberOfMessages);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Read up to `max` messages without consuming them: each is received (hidden briefly, so the
 * walk moves on to the next), then every one is made visible again at once.
 */
async function peek(target: Target, max: number): Promise<DeadLetterView[]> {
  const seen = new Map<string, DeadLetterView>();
  const handles: string[] = [];
  const queueUrl = target.resources.deadLetterQueueUrl;
  try {
    while (seen.size < max) {
      const out = await target.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          // One second of long polling asks every SQS server, so an empty answer means empty.
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const got = out.Messages ?? [];
      if (got.length === 0) break;
      for (const m of got) {
        if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
        if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, deadLetterView(m));
      }
    }
  } finally {
    await release(target, queueUrl, handles);
  }
  return [...seen.values()];
}

/** Make received messages visible again (best effort: they reappear by themselves anyway). */
async function release(target: Target, queueUrl: string, handles: readonly string[]): Promise<void> {
  for (let i = 0; i < handles.length; i += 10) {
    try {
      await target.clients.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles
            .slice(i, i + 10)
            .map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 })),
        }),
      );
    } catch (err) {
      if (isConnectionFailure(err)) throw err;
      // Expired handles: those messages are visible again already.
    }
  }
}

function letterTable(letters: readonly DeadLetterView[], withBody: boolean): string {
  return table(
    ['MATCH', 'REASON', 'MESSAGE', 'FAILED AT', 'GAMEYE ID', ...(withBody ? ['BODY'] : ['MESSAGE ID'])],
    letters.map((l) => [
      l.matchId,
      l.reason,
      l.message === undefined ? undefined : truncate(l.message, 70),
      l.failedAt ?? l.sentAt,
      l.identifier,
      withBody ? truncate(l.body, 80) : l.messageId,
    ]),
  );
}

function summary(letters: readonly DeadLetterView[], depth: number | undefined): string {
  const byReason = new Map<string, number>();
  for (const l of letters) byReason.set(l.reason, (byReason.get(l.reason) ?? 0) + 1);
  const reasons = [...byReason].map(([r, n]) => `${n} ${r}`).join(', ');
  const more = depth !== undefined && depth > letters.length ? ` (about ${depth} in the queue)` : '';
  return `${letters.length} message(s)${more}: ${reasons}. Redrive with \`bridge dlq redrive\` once the cause is fixed.`;
}

function truncate(text: string, n: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** StartMessageMoveTask, or why it cannot be used here. */
async function tryMoveTask(target: Target): Promise<{ taskHandle: string } | { unsupported: string }> {
  try {
    const [source, destination] = await Promise.all([
      queueArn(target, target.resources.deadLetterQueueUrl),
      queueArn(target, target.resources.matchesQueueUrl),
    ]);
    const out = await target.clients.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination }),
    );
    if (out.TaskHandle) return { taskHandle: out.TaskHandle };
    return { unsupported: 'no task handle returned' };
  } catch (err) {
    if (!isUnsupported(err)) throw err;
    return { unsupported: err instanceof Error ? err.name : String(err) };
  }
}

/** The local stand-in (fauxqs) does not implement message move tasks; AWS does. */
function isUnsupported(err: unknown): boolean {
  if (!(err instanceof Error) || isConnectionFailure(err)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    /Unsupported|InvalidAction|UnknownOperation|NotImplemented|InvalidQueryParameter|UnknownOperationException/i.test(
      `${err.name} ${err.message}`,
    ) ||
    status === 404 ||
    status === 501
  );
}

async function queueArn(target: Target, queueUrl: string): Promise<string> {
  const out = await target.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS answered without the ARN of ${queueUrl}`);
  return arn;
}

const FAILURE_ATTRIBUTES: ReadonlySet<string> = new Set(Object.values(DLQ_ATTRIBUTES));

/** Receive, send to the matches queue (without the failure attributes), then delete. */
async function moveOneByOne(target: Target, max: number): Promise<number> {
  let moved = 0;
  while (moved < max) {
    const out = await target.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.resources.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        VisibilityTimeout: MOVE_VISIBILITY_SECONDS,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const got = out.Messages ?? [];
    if (got.length === 0) break;
    for (const m of got) {
      const attributes: Record<string, MessageAttributeValue> = Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {})
          .filter(([name]) => !FAILURE_ATTRIBUTES.has(name))
          .map(([name, v]) => [name, plainAttribute(v)]),
      );
      await target.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: target.resources.matchesQueueUrl,
          MessageBody: m.Body ?? '',
          ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
        }),
      );
      await target.clients.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: target.resources.deadLetterQueueUrl,
          ReceiptHandle: m.ReceiptHandle,
        }),
      );
      moved += 1;
    }
  }
  return moved;
}

/** Only the fields SendMessage accepts back (received values carry empty list fields too). */
function plainAttribute(v: MessageAttributeValue): MessageAttributeValue {
  return {
    DataType: v.DataType,
    ...(v.StringValue === undefined ? {} : { StringValue: v.StringValue }),
    ...(v.BinaryValue === undefined ? {} : { BinaryValue: v.BinaryValue }),
  };
}
