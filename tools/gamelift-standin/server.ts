/**
 * The stand-in's HTTP server: `DescribeMatchmaking` over AWS JSON 1.1 on `POST /`, and the
 * admin routes under `/__admin/` that let another process (the CLI, a developer with curl)
 * register tickets and set faults while `npm start -- --serve` runs.
 *
 * Requests must be signed (an `Authorization` header, as the SDK sends when it has
 * credentials), but the signature is not checked: the stand-in listens on loopback and holds
 * nothing secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleepFor } from 'node:timers/promises';
import * as z from 'zod';
import { type FaultControls, FaultKind, FaultSettings } from './faults.ts';
import {
  DescribeMatchmakingInput,
  GameLiftWireError,
  invalidRequest,
  JSON_11,
  readJson,
  sendResult,
  sendWireError,
  TARGET_PREFIX,
} from './protocol.ts';
import { type TicketBook, TicketRegistration } from './tickets.ts';

/** One `DescribeMatchmaking` call as the stand-in saw it. */
export interface DescribeCall {
  readonly ticketIds: readonly string[];
  /** `answered`, or the fault it got. */
  readonly outcome: 'answered' | FaultKind;
  /** Tickets in the answer (0 for a fault). */
  readonly found: number;
}

/** Waits `ms` unless `signal` aborts first (then rejects). Tests pass their own to hold an answer. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = async (ms, signal) => {
  await sleepFor(ms, undefined, { signal });
};

export interface StandInState {
  readonly tickets: TicketBook;
  readonly faults: FaultControls;
  readonly calls: DescribeCall[];
  readonly sleep: Sleep;
  /** Aborted by close(): ends every wait in progress. */
  readonly closing: AbortSignal;
}

export function createStandInServer(state: StandInState): Server {
  const server = createServer({ keepAlive: true }, (req, res) => {
    void handle(state, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const wire =
        error instanceof GameLiftWireError
          ? error
          : new GameLiftWireError(500, 'InternalServiceException', 'the stand-in failed unexpectedly');
      sendWireError(res, wire);
    });
  });
  // The SDK keeps connections pooled; keep them open longer than it does.
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(state: StandInState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path.startsWith('/__admin/')) return admin(state, req, res, path);
  if (req.method !== 'POST' || path !== '/') {
    throw new GameLiftWireError(
      404,
      'UnknownOperationException',
      `no GameLift operation at ${req.method} ${path}`,
    );
  }
  const target = req.headers['x-amz-target'];
  if (target !== `${TARGET_PREFIX}DescribeMatchmaking`) {
    throw new GameLiftWireError(
      400,
      'UnknownOperationException',
      `the stand-in answers GameLift.DescribeMatchmaking only, not ${String(target)}`,
    );
  }
  if (!String(req.headers['content-type'] ?? '').startsWith(JSON_11)) {
    throw new GameLiftWireError(400, 'SerializationException', `expected Content-Type ${JSON_11}`);
  }
  if (!req.headers.authorization) {
    throw new GameLiftWireError(400, 'MissingAuthenticationTokenException', 'the request is not signed');
  }
  const parsed = DescribeMatchmakingInput.safeParse(await readJson(req));
  if (!parsed.success) throw invalidRequest(parsed.error);
  const ticketIds = parsed.data.TicketIds;

  if (state.faults.latencyMs > 0) await state.sleep(state.faults.latencyMs, state.closing);
  const fault = state.faults.next();
  if (fault !== undefined) {
    state.calls.push({ ticketIds, outcome: fault, found: 0 });
    throw fault === 'throttling'
      ? new GameLiftWireError(400, 'ThrottlingException', 'Rate exceeded')
      : new GameLiftWireError(500, 'InternalServiceException', 'GameLift failed to process the request');
  }
  const found = state.tickets.describe(ticketIds);
  state.calls.push({ ticketIds, outcome: 'answered', found: found.length });
  sendResult(res, { TicketList: found });
}

const AdminFail = z
  .object({ kind: FaultKind, times: z.number().int().min(1).max(1_000).default(1) })
  .strict();

/**
 * `PUT /__admin/tickets` (one ticket or a list), `DELETE /__admin/tickets`,
 * `GET /__admin/calls`, `PUT /__admin/faults` (latency, rates, seed),
 * `POST /__admin/faults/next` (`{kind, times}`), `DELETE /__admin/faults`.
 */
async function admin(
  state: StandInState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method} ${path}`;
  const body = async <T>(schema: z.ZodType<T>): Promise<T> => {
    const parsed = schema.safeParse(await readJson(req));
    if (!parsed.success) throw invalidRequest(parsed.error);
    return parsed.data;
  };
  switch (route) {
    case 'PUT /__admin/tickets': {
      const input = await body(z.union([TicketRegistration, z.array(TicketRegistration).max(1_000)]));
      sendResult(res, { tickets: state.tickets.register(...[input].flat()) });
      return;
    }
    case 'DELETE /__admin/tickets':
      state.tickets.clear();
      sendResult(res, {});
      return;
    case 'GET /__admin/calls':
      sendResult(res, { calls: state.calls });
      return;
    case 'PUT /__admin/faults':
      state.faults.configure(await body(FaultSettings));
      sendResult(res, { latencyMs: state.faults.latencyMs, pending: state.faults.pending });
      return;
    case 'POST /__admin/faults/next': {
      const { kind, times } = await body(AdminFail);
      state.faults.failNext(kind, times);
      sendResult(res, { pending: state.faults.pending });
      return;
    }
    case 'DELETE /__admin/faults':
      state.faults.clear();
      sendResult(res, {});
      return;
    default:
      throw new GameLiftWireError(404, 'UnknownOperationException', `no admin route for ${route}`);
  }
}
