/**
 * The admin API over HTTP, `/__admin/...`: the controls of `admin-controls.ts` for tests and
 * tools in another process. Guarded by the emulator's main token (never by a scoped config
 * token); not counted in stats, never delayed or faulted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { InvalidBodyError, parseBody, sendError, sendJson } from './answers.ts';
import { bearerToken } from './bearer-auth.ts';
import type { EmulatorConfigInput, FaultConfigInput } from './config.ts';
import { FaultTarget } from './config.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { EmulatorHttpError } from './http-error.ts';

const AdminCrashBody = z
  .object({ status: z.enum(['exited', 'dead', 'server_unreachable']).optional() })
  .strict()
  .default({});
const AdminPlayersBody = z.union([
  z.object({ count: z.int().nonnegative() }).strict(),
  z.object({ players: z.array(z.string()) }).strict(),
]);
const AdminClockBody = z.object({ ms: z.number().nonnegative() }).strict();
const AnyRecord = z.record(z.string(), z.unknown());

/** Answer one `/__admin/` request. */
export async function handleAdminRequest(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  try {
    if (bearerToken(req) !== emulator.token) {
      throw new EmulatorHttpError(401, 'UNAUTHORIZED', 'the admin API needs the emulator token');
    }
    await dispatch(emulator, req, res, path);
  } catch (error) {
    if (error instanceof EmulatorHttpError) {
      sendError(res, path, error, emulator.clock.now());
    } else if (error instanceof Error && error.name === 'EmulatorConfigError') {
      const refused = new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', error.message);
      sendError(res, path, refused, emulator.clock.now());
    } else if (error instanceof z.ZodError) {
      sendError(res, path, new InvalidBodyError('invalid admin input', error), emulator.clock.now());
    } else {
      throw error;
    }
  }
}

async function dispatch(
  emulator: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const { admin } = emulator;
  const method = req.method ?? 'GET';
  const parts = path
    .split('/')
    .slice(2)
    .map((s) => decodeURIComponent(s));
  const body = <T>(schema: z.ZodType<T>) => parseBody(req, schema, 'invalid admin body', true);
  const [a, b, c] = parts;
  if (method === 'GET' && a === 'sessions' && parts.length === 1) {
    sendJson(res, 200, { sessions: admin.sessions() });
  } else if (method === 'GET' && a === 'stats' && parts.length === 1) {
    sendJson(res, 200, admin.stats());
  } else if (method === 'GET' && a === 'config' && parts.length === 1) {
    sendJson(res, 200, emulator.config);
  } else if (method === 'POST' && a === 'sessions' && b && c === 'crash' && parts.length === 3) {
    const parsed = await body(AdminCrashBody);
    sendJson(res, 200, admin.crash(b, parsed.status));
  } else if (method === 'PUT' && a === 'sessions' && b && c === 'players' && parts.length === 3) {
    const parsed = await body(AdminPlayersBody);
    sendJson(
      res,
      200,
      'count' in parsed ? admin.setPlayerCount(b, parsed.count) : admin.setPlayers(b, parsed.players),
    );
  } else if (method === 'POST' && a === 'clock' && b === 'advance' && parts.length === 2) {
    const parsed = await body(AdminClockBody);
    sendJson(res, 200, { now: admin.advanceClock(parsed.ms) });
  } else if ((method === 'PUT' || method === 'DELETE') && a === 'faults' && b && parts.length === 2) {
    const target = FaultTarget.safeParse(b);
    if (!target.success) throw new EmulatorHttpError(404, 'NOT_FOUND', `unknown operation "${b}"`);
    const faults = method === 'PUT' ? ((await body(AnyRecord)) as FaultConfigInput) : undefined;
    admin.setFaults(target.data, faults);
    sendJson(res, 200, { faults: emulator.config.faults });
  } else if (method === 'PATCH' && a === 'config' && parts.length === 1) {
    const parsed = await body(AnyRecord);
    sendJson(res, 200, admin.setConfig(parsed as Partial<EmulatorConfigInput>));
  } else if (method === 'POST' && a === 'reset' && parts.length === 1) {
    admin.reset();
    res.writeHead(204);
    res.end();
  } else {
    throw new EmulatorHttpError(404, 'NOT_FOUND', `no admin route for ${method} ${path}`);
  }
}
