/**
 * Every request's way through the emulator: the admin API aside, route it to a Gameye
 * operation (404/405), count it, delay and fault it as configured, authenticate it (401/403),
 * negotiate its `Accept` (406), run the operation, and turn any refusal into Gameye's error
 * envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GameyeOperation } from '../../lambdas/gameye/contract.ts';
import { handleAdminRequest } from './admin-routes.ts';
import { sendError, successContentType } from './answers.ts';
import { authorize } from './bearer-auth.ts';
import { isAcceptable } from './content-negotiation.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { delay, injectFault } from './fault-injection.ts';
import { EmulatorHttpError } from './http-error.ts';
import { route } from './routes.ts';

/** Answer one request; never rejects (an unexpected failure answers 500). */
export async function handleRequest(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    await pipeline(emulator, req, res);
  } catch (error) {
    sendUnexpected(emulator, req, res, error);
  }
}

async function pipeline(emulator: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (path.startsWith('/__admin/')) {
    await handleAdminRequest(emulator, req, res, path);
    return;
  }
  const method = req.method ?? 'GET';
  const found = route(method, path);
  if (found === undefined || found === 'method') {
    const error =
      found === undefined
        ? new EmulatorHttpError(404, 'NOT_FOUND', `no route for ${method} ${path}`)
        : new EmulatorHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`);
    sendError(res, path, error, emulator.clock.now());
    return;
  }
  const { operation } = found;
  emulator.count(operation);
  await delay(emulator, operation);
  if (injectFault(emulator, req, res, operation, path)) return;
  try {
    authorize(emulator, req, operation);
    negotiate(req, operation);
    const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
    await found.handler(emulator, { req, res, operation, path, query, params: found.params });
  } catch (error) {
    if (!(error instanceof EmulatorHttpError) || res.headersSent) throw error;
    sendError(res, path, error, emulator.clock.now());
  }
}

/**
 * 406 when the client's `Accept` excludes the operation's success type, as a server that
 * enforces it does. An operation whose success has no body (204) has nothing to negotiate.
 */
function negotiate(req: IncomingMessage, operation: GameyeOperation): void {
  const success = successContentType(operation);
  if (success === undefined || isAcceptable(req.headers.accept, success)) return;
  throw new EmulatorHttpError(
    406,
    'NOT_ACCEPTABLE',
    `${operation} answers ${success}, which the Accept header (${req.headers.accept}) excludes`,
  );
}

function sendUnexpected(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const message = error instanceof Error ? error.message : String(error);
  const failure = new EmulatorHttpError(500, 'INTERNAL_SERVER_ERROR', 'emulator failure', message);
  sendError(res, path, failure, emulator.clock.now());
}
