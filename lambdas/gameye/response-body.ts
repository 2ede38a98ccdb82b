/**
 * Reading a response body within its attempt: a JSON answer decoded and checked by its zod
 * schema, an empty answer, or a stream handed on unread; every error answer read (at most
 * {@link MAX_ERROR_BODY_BYTES}) and turned into a {@link GameyeError}.
 */
import type { z } from 'zod';
import { errorFromResponse, type GameyeError, invalidResponse } from './errors.ts';
import type { Exchange } from './transport.ts';

/** Error bodies are short envelopes or gateway pages; never read more than this of one. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

function isSuccess(exchange: Exchange): boolean {
  return exchange.status >= 200 && exchange.status <= 299;
}

function contentType(exchange: Exchange): string | undefined {
  const value = exchange.headers['content-type'];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text, all of it or (with `limit`) its first `limit` bytes, then the rest discarded. */
async function readText(exchange: Exchange, limit?: number): Promise<string> {
  try {
    if (limit === undefined) return await exchange.body.text();
    let text = '';
    let bytes = 0;
    const decoder = new TextDecoder();
    for await (const chunk of exchange.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      text += decoder.decode(chunk, { stream: true });
      if (bytes >= limit) {
        exchange.body.destroy();
        break;
      }
    }
    return text + decoder.decode();
  } catch (error) {
    throw exchange.fail(error);
  }
}

/** Read an error answer (bounded) and build its GameyeError. */
async function errorOf(exchange: Exchange): Promise<GameyeError> {
  const { spec } = exchange;
  const text = await readText(exchange, MAX_ERROR_BODY_BYTES);
  return errorFromResponse(
    spec.operation,
    spec.path,
    exchange.status,
    contentType(exchange),
    text,
    exchange.scrub,
  );
}

/** A JSON answer: read within the attempt's timeout, parsed, validated by `schema`. */
export async function readJson<T>(exchange: Exchange, schema: z.ZodType<T>): Promise<T> {
  if (!isSuccess(exchange)) throw await errorOf(exchange);
  const { spec } = exchange;
  const text = await readText(exchange);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidResponse(spec.operation, spec.path, exchange.status, error as SyntaxError, exchange.scrub);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw invalidResponse(spec.operation, spec.path, exchange.status, parsed.error, exchange.scrub);
  }
  return parsed.data;
}

/** An answer whose success has no body (204); anything a 2xx carries anyway is drained. */
export async function readEmpty(exchange: Exchange): Promise<void> {
  if (!isSuccess(exchange)) throw await errorOf(exchange);
  await readText(exchange);
}

/** A streaming answer: an error is read (bounded) and thrown; a 2xx is handed on unread. */
export async function openStream(exchange: Exchange): Promise<Exchange> {
  if (isSuccess(exchange)) return exchange;
  throw await errorOf(exchange);
}
