/**
 * The GameLift ticket adapter over the real SDK, against a loopback server speaking GameLift's
 * JSON 1.1 protocol (POST /, `X-Amz-Target: GameLift.DescribeMatchmaking`): what it sends, how
 * it reads the answer, and what each failure means, throttling included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  GAMELIFT_MAX_ATTEMPTS,
  GameLiftMatchmakingTickets,
  gameLiftClient,
} from '../../lambdas/adapters/gamelift-tickets.ts';
import { MatchmakerCallError } from '../../lambdas/core/errors.ts';
import { type RawHandler, type RawServer, sendJson, startRawServer } from '../gameye-client/raw-server.ts';

let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function ticketsAt(handler: RawHandler) {
  server = await startRawServer(handler);
  const client = gameLiftClient({
    region: 'eu-west-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { tickets: new GameLiftMatchmakingTickets({ client }), requests: server.requests };
}

/** A GameLift error as the JSON 1.1 protocol sends it. */
function awsError(status: number, type: string, message: string): RawHandler {
  return (_req, res) =>
    sendJson(
      res,
      status,
      { __type: type, message },
      { 'x-amzn-requestid': `req-${type}`, 'content-type': 'application/x-amz-json-1.1' },
    );
}

const TICKET_LIST = {
  TicketList: [
    {
      TicketId: 't-1',
      ConfigurationName: 'arena-config',
      ConfigurationArn: 'arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/arena-config',
      Status: 'COMPLETED',
      StartTime: 1764266651.117,
      Players: [
        { PlayerId: 'alice', Team: 'red', LatencyInMs: { 'eu-west-1': 30, 'us-east-1': 90 } },
        { PlayerId: 'bob', Team: 'blue' },
      ],
    },
  ],
};

async function failureOf(promise: Promise<unknown>): Promise<MatchmakerCallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MatchmakerCallError) return error;
    throw error;
  }
  throw new Error('expected a MatchmakerCallError');
}

describe('GameLiftMatchmakingTickets', () => {
  it('asks DescribeMatchmaking for the tickets over JSON 1.1 and reads each player’s latencies', async () => {
    const { tickets, requests } = await ticketsAt((_req, res) =>
      sendJson(res, 200, TICKET_LIST, { 'content-type': 'application/x-amz-json-1.1' }),
    );

    const described = await tickets.describeTickets(['t-1', 't-gone']);

    expect(described).toEqual([
      {
        ticketId: 't-1',
        players: [
          { playerId: 'alice', latencyInMs: { 'eu-west-1': 30, 'us-east-1': 90 } },
          { playerId: 'bob', latencyInMs: {} },
        ],
      },
    ]);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/');
    expect(request?.headers['x-amz-target']).toBe('GameLift.DescribeMatchmaking');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/gamelift\/aws4_request/,
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({ TicketIds: ['t-1', 't-gone'] });
  });

  it('makes no call for no tickets', async () => {
    const { tickets, requests } = await ticketsAt((_req, res) => sendJson(res, 200, TICKET_LIST));

    expect(await tickets.describeTickets([])).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('rides out a throttle with the SDK’s own retry', async () => {
    const throttled = awsError(400, 'ThrottlingException', 'Rate exceeded');
    const { tickets, requests } = await ticketsAt((req, res, body, index) =>
      index === 0 ? throttled(req, res, body, index) : sendJson(res, 200, TICKET_LIST),
    );

    const described = await tickets.describeTickets(['t-1']);

    expect(described.map((t) => t.ticketId)).toEqual(['t-1']);
    expect(requests).toHaveLength(2);
  });

  it('reports throttling that outlasts every attempt as throttled, with GameLift’s request id', async () => {
    const { tickets, requests } = await ticketsAt(awsError(400, 'ThrottlingException', 'Rate exceeded'));

    const error = await failureOf(tickets.describeTickets(['t-1']));

    expect(error).toMatchObject({
      name: 'MatchmakerCallError',
      kind: 'throttled',
      code: 'ThrottlingException',
      requestId: 'req-ThrottlingException',
    });
    expect(error.message).toContain('Rate exceeded');
    expect(requests).toHaveLength(GAMELIFT_MAX_ATTEMPTS);
  });

  it.each([
    [400, 'InvalidRequestException', 'rejected', 1],
    [400, 'UnauthorizedException', 'denied', 1],
    [400, 'AccessDeniedException', 'denied', 1],
    [500, 'InternalServiceException', 'unavailable', GAMELIFT_MAX_ATTEMPTS],
  ] as const)('reports HTTP %i %s as %s after %i request(s)', async (status, type, kind, calls) => {
    const { tickets, requests } = await ticketsAt(awsError(status, type, 'no'));

    const error = await failureOf(tickets.describeTickets(['t-1']));

    expect(error.kind).toBe(kind);
    expect(error.code).toBe(type);
    expect(requests).toHaveLength(calls);
  });

  it('reports an answer outside DescribeMatchmaking’s contract as unavailable', async () => {
    const { tickets } = await ticketsAt((_req, res) =>
      sendJson(res, 200, {
        TicketList: [{ TicketId: 't-1', Players: [{ PlayerId: 'a', LatencyInMs: { x: 'fast' } }] }],
      }),
    );

    const error = await failureOf(tickets.describeTickets(['t-1']));

    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('outside its contract');
  });
});
