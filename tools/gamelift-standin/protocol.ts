/**
 * GameLift's wire protocol, AWS JSON 1.1, as far as the stand-in speaks it: every call is a
 * `POST /` naming its operation in `X-Amz-Target: GameLift.<Operation>`, with a JSON body of
 * `Content-Type: application/x-amz-json-1.1`; errors are a JSON body whose `__type` names the
 * exception, which is how the AWS SDK tells them apart (and decides which to retry).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { formatPath } from '../../lambdas/core/issues.ts';
import { MatchmakingId } from './tickets.ts';

export const JSON_11 = 'application/x-amz-json-1.1';
export const TARGET_PREFIX = 'GameLift.';

/** Largest request body read, in bytes: ten ticket ids are a few hundred. */
const MAX_BODY_BYTES = 64 * 1024;

/** `DescribeMatchmaking`'s input: 1 to 10 ticket ids (GameLift refuses more). */
export const DescribeMatchmakingInput = z
  .object({ TicketIds: z.array(MatchmakingId).min(1).max(10) })
  // GameLift ignores members it does not model; so does the stand-in.
  .loose();

/** An error the stand-in answers: the exception's name, its HTTP status and its message. */
export class GameLiftWireError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.name = 'GameLiftWireError';
    this.status = status;
    this.type = type;
  }
}

/** 400 `InvalidRequestException` naming every bad field of a refused input. */
export function invalidRequest(error: z.ZodError): GameLiftWireError {
  const fields = error.issues.map((i) => `${formatPath(i.path) || '(body)'}: ${i.message}`).join('; ');
  return new GameLiftWireError(400, 'InvalidRequestException', `1 validation error detected: ${fields}`);
}

/** Answer a JSON 1.1 success body. */
export function sendResult(res: ServerResponse, body: unknown): void {
  send(res, 200, body);
}

/** Answer a JSON 1.1 error; `Message` is how GameLift's own exceptions spell it. */
export function sendWireError(res: ServerResponse, error: GameLiftWireError): void {
  send(res, error.status, { __type: error.type, message: error.message, Message: error.message }, error.type);
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

/** The request body as JSON; a body that is too large or not JSON is refused as GameLift would. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new GameLiftWireError(413, 'SerializationException', 'the request body is too large');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text === '' ? '{}' : text) as unknown;
  } catch {
    throw new GameLiftWireError(400, 'SerializationException', 'the request body is not valid JSON');
  }
}
