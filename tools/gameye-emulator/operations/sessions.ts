/** The session operations: `POST /session`, `GET /session`, `GET /session/{id}`, `DELETE /session/{id}`. */
import {
  ListSessionsQuery,
  type SessionListEntry,
  type SessionListOk,
  type SessionRunOk,
  SessionRunRequest,
} from '../../../lambdas/gameye/contract.ts';
import { InvalidBodyError, parseBody, sendNoContent, sendSuccess } from '../answers.ts';
import type { OperationHandler } from '../emulator-context.ts';
import type { EmulatedSession } from '../fleet.ts';
import { EmulatorHttpError } from '../http-error.ts';

/** `POST /session` (session-run). */
export const sessionRun: OperationHandler = async (emulator, { req, res, operation }) => {
  const body = await parseBody(req, SessionRunRequest);
  const session = emulator.fleet.create(body);
  const ok: SessionRunOk = { id: session.id, host: session.host, ports: [...session.ports] };
  sendSuccess(res, operation, 201, ok);
};

/** The deepObject query (`filter[k]=v`, `playerCount[lt]=4`) as the shape `ListSessionsQuery` parses. */
function rawListQuery(query: URLSearchParams): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of query) {
    const deep = /^([A-Za-z]+)\[([^\]]+)\]$/.exec(key);
    if (deep?.[1] && deep[2]) {
      const existing = raw[deep[1]];
      const group: Record<string, unknown> =
        typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {};
      raw[deep[1]] = group;
      group[deep[2]] = deep[1] === 'playerCount' && /^-?\d+$/.test(value) ? Number(value) : value;
    } else if (key === 'all') {
      raw[key] = value === '' || value === 'true' ? true : value === 'false' ? false : value;
    } else {
      raw[key] = value;
    }
  }
  return raw;
}

/** `GET /session` (session-list), with every filter of the V2 API. */
export const sessionList: OperationHandler = (emulator, { res, operation, query }) => {
  const parsed = ListSessionsQuery.safeParse(rawListQuery(query));
  if (!parsed.success) throw new InvalidBodyError('the query is invalid', parsed.error);
  const f = parsed.data;
  const { fleet } = emulator;
  const now = emulator.clock.now();
  const field = (s: EmulatedSession, key: string): string | undefined => {
    switch (key) {
      case 'status':
        return fleet.statusOf(s, now);
      case 'image':
        return s.image;
      case 'tag':
        return s.tag;
      case 'location':
        return s.location;
      case 'host':
        return s.host;
      default:
        return s.labels[key];
    }
  };
  const filter = f.filter ? Object.entries(f.filter) : [];
  const filterNot = f.filterNot ? Object.entries(f.filterNot) : [];
  const sessions: SessionListEntry[] = [];
  for (const s of fleet.values()) {
    if (!f.all && !fleet.isActive(s)) continue;
    if (f.location !== undefined && s.location !== f.location) continue;
    if (f.image !== undefined && s.image !== f.image) continue;
    if (f.tag !== undefined && s.tag !== f.tag) continue;
    if (f.host !== undefined && s.host !== f.host) continue;
    const lt = f.playerCount?.lt;
    const gt = f.playerCount?.gt;
    if (lt !== undefined && !(s.players.size < lt)) continue;
    if (gt !== undefined && !(s.players.size > gt)) continue;
    if (filter.some(([k, v]) => field(s, k) !== v)) continue;
    if (filterNot.some(([k, v]) => field(s, k) === v)) continue;
    sessions.push(fleet.toListEntry(s, now));
  }
  const ok: SessionListOk = { sessions };
  sendSuccess(res, operation, 200, ok);
};

/** `GET /session/{id}` (describe-session). */
export const describeSession: OperationHandler = (emulator, { res, operation, params }) => {
  const { fleet } = emulator;
  sendSuccess(res, operation, 200, fleet.describe(fleet.existing(params[0] ?? '')));
};

/** `DELETE /session/{id}` (session-stop): 204, or 409 when it already stopped. */
export const sessionStop: OperationHandler = (emulator, { res, params }) => {
  const { fleet } = emulator;
  const session = fleet.existing(params[0] ?? '');
  if (!fleet.isActive(session)) {
    throw new EmulatorHttpError(
      409,
      'SESSION_ALREADY_STOPPED',
      `session "${session.id}" has already been stopped`,
    );
  }
  fleet.stop(session, 'exited', 'stop requested through the API');
  sendNoContent(res);
};
