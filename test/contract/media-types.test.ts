/**
 * Media types, every operation, both sides: the client's one media-type table agrees with the
 * spec; each request's `Accept` covers every media type the spec documents for the
 * operation's answers (success and errors); request bodies go as the documented type; and the
 * emulator labels each answer with the type documented for its status.
 */
import { describe, expect, it } from 'vitest';
import type { GameyeOperation } from '../../lambdas/gameye/index.ts';
import { ERROR_MEDIA_TYPE, OPERATION_MEDIA_TYPES } from '../../lambdas/gameye/index.ts';
import { isAcceptable } from '../../tools/gameye-emulator/content-negotiation.ts';
import { contractValidator, type RecordedExchange } from './support/openapi.ts';
import { drainStream, expectGameyeError, useContractRig } from './support/rig.ts';

const rig = useContractRig();

/** What the spec documents for one operation. */
interface Documented {
  /** Media types by status ([] for a status without content). */
  readonly responses: ReadonlyMap<number, readonly string[]>;
  /** The request body's media types; undefined when it takes none. */
  readonly request: readonly string[] | undefined;
}

async function documented(): Promise<Map<string, Documented>> {
  const { operations } = await contractValidator();
  const out = new Map<string, Documented>();
  for (const [id, op] of operations) {
    const responses = new Map<number, readonly string[]>();
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const content = '$ref' in response ? undefined : response.content;
      responses.set(Number(status), Object.keys(content ?? {}));
    }
    const body = op.requestBody;
    const request = body === undefined || '$ref' in body ? undefined : Object.keys(body.content);
    out.set(id, { responses, request });
  }
  return out;
}

function header(exchange: RecordedExchange, name: string): string | undefined {
  const value = exchange.requestHeaders[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function mediaType(value: string | undefined): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase();
}

const OPERATIONS = Object.keys(OPERATION_MEDIA_TYPES) as GameyeOperation[];

describe('the media-type table', () => {
  it.each(OPERATIONS)('holds what the spec documents for %s', async (operation) => {
    const spec = (await documented()).get(operation);
    if (!spec) throw new Error(`${operation} missing from the spec`);
    const table = OPERATION_MEDIA_TYPES[operation];
    const success = [...spec.responses].filter(([status]) => status >= 200 && status <= 299);
    const errors = [...spec.responses].filter(([status]) => status >= 400);

    expect(success.map(([, types]) => types)).toEqual([table.success === undefined ? [] : [table.success]]);
    for (const [, types] of errors) expect(types).toEqual([ERROR_MEDIA_TYPE]);
    expect(spec.request).toEqual(table.request === undefined ? undefined : [table.request]);
  });
});

describe('every operation on the wire', () => {
  /** Every operation's success, in an order that makes each possible. */
  async function successes(): Promise<RecordedExchange[]> {
    const g = rig.gameye;
    await g.startSession({ id: 'media', location: 'eu-west-1', image: 'arena-server' });
    await g.listSessions();
    await g.describeSession('media');
    await g.joinPlayers('media', ['p1']);
    await g.leavePlayers(['p1']);
    await g.availableLocations('arena-server');
    await g.tagExists('eu-west-1', 'arena-server', '1.4.0');
    await drainStream(g.logs('media'));
    await g.stopSession('media');
    await drainStream(await g.artifact('media', '/home/gameserver/logs'));
    const reports = await rig.verify([
      'session-run 201',
      'session-list 200',
      'describe-session 200',
      'join-session 200',
      'leave-session 200',
      'get-available-locations 200',
      'tag-exists 200',
      'stream-logs 200',
      'session-stop 204',
      'artifacts 200',
    ]);
    return reports.map((r) => r.exchange);
  }

  /** Every operation refused with 401, so each answers its documented error type. */
  async function failures(): Promise<RecordedExchange[]> {
    const g = rig.unknownToken;
    const calls: Record<GameyeOperation, () => Promise<unknown>> = {
      'session-run': () => g.startSession({ id: 'x', location: 'eu-west-1', image: 'arena-server' }),
      'session-list': () => g.listSessions(),
      'describe-session': () => g.describeSession('x'),
      'session-stop': () => g.stopSession('x'),
      'join-session': () => g.joinPlayers('x', ['p1']),
      'leave-session': () => g.leavePlayers(['p1']),
      artifacts: () => g.artifact('x', '/home'),
      'get-available-locations': () => g.availableLocations('arena-server'),
      'tag-exists': () => g.tagExists('eu-west-1', 'arena-server', '1.4.0'),
      'stream-logs': () => drainStream(g.logs('x')),
    };
    for (const operation of OPERATIONS) await expectGameyeError(calls[operation](), 401);
    const reports = await rig.verify(OPERATIONS.map((op) => `${op} 401`));
    return reports.map((r) => r.exchange);
  }

  it('sends an Accept that covers each documented response media type, success and error', async () => {
    const spec = await documented();
    const exchanges = await successes();
    const { validator } = rig;

    expect(exchanges).toHaveLength(OPERATIONS.length);
    for (const exchange of exchanges) {
      const op = validator.api.matchOperation({ method: exchange.method, path: exchange.path, headers: {} });
      const types = [...(spec.get(op?.operationId ?? '')?.responses.values() ?? [])].flat();
      const accept = header(exchange, 'accept');
      expect(types.length, `${op?.operationId} documents media types`).toBeGreaterThan(0);
      for (const type of types) {
        expect(isAcceptable(accept, type), `${op?.operationId}: Accept "${accept}" covers ${type}`).toBe(
          true,
        );
      }
    }
  });

  it('sends each request body as the documented media type', async () => {
    const spec = await documented();
    const exchanges = await successes();
    const { validator } = rig;

    const withBodies = exchanges.filter((e) => e.requestBody !== undefined);
    expect(withBodies.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /session',
      'PUT /session/player/join',
      'DELETE /session/player/leave',
    ]);
    for (const exchange of exchanges) {
      const op = validator.api.matchOperation({ method: exchange.method, path: exchange.path, headers: {} });
      const documentedTypes = spec.get(op?.operationId ?? '')?.request;
      const sent = mediaType(header(exchange, 'content-type'));
      if (documentedTypes === undefined) expect(sent, `${op?.operationId} sends no body`).toBeUndefined();
      else expect(documentedTypes, `${op?.operationId} sends ${sent}`).toContain(sent);
    }
  });

  it('gets each answer, success and error, labelled with the media type documented for its status', async () => {
    const spec = await documented();
    const exchanges = [...(await successes()), ...(await failures())];
    const { validator } = rig;

    expect(exchanges).toHaveLength(2 * OPERATIONS.length);
    for (const exchange of exchanges) {
      const op = validator.api.matchOperation({ method: exchange.method, path: exchange.path, headers: {} });
      const types = spec.get(op?.operationId ?? '')?.responses.get(exchange.status);
      const label = `${op?.operationId} ${exchange.status}`;
      expect(types, `${label} is documented`).toBeDefined();
      if (types?.length === 0) expect(exchange.contentType, `${label} has no body`).toBeUndefined();
      else
        expect(types, `${label} answered ${exchange.contentType}`).toContain(mediaType(exchange.contentType));
    }
  });
});
