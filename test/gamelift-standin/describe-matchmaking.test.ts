import {
  DescribeMatchmakingCommand,
  GameLiftClient,
  type GameLiftClientConfig,
  GameLiftServiceException,
} from '@aws-sdk/client-gamelift';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGameLiftStandIn, startGameLiftStandIn } from '../../tools/gamelift-standin/index.ts';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

let standIn: RunningGameLiftStandIn;
const clients: GameLiftClient[] = [];

/** The real SDK client, pointed at the stand-in; one attempt unless told otherwise. */
function client(config: GameLiftClientConfig = {}): GameLiftClient {
  const c = new GameLiftClient({
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    endpoint: standIn.url,
    maxAttempts: 1,
    ...config,
  });
  clients.push(c);
  return c;
}

const describeTickets = (c: GameLiftClient, ...TicketIds: string[]) =>
  c.send(new DescribeMatchmakingCommand({ TicketIds }));

/** The SDK's error of a call that should fail. */
async function failure(call: Promise<unknown>): Promise<GameLiftServiceException> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GameLiftServiceException);
  return error as GameLiftServiceException;
}

beforeAll(async () => {
  standIn = await startGameLiftStandIn({ region: 'eu-west-1', now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
});
afterEach(() => standIn.reset());
afterAll(async () => {
  for (const c of clients) c.destroy();
  await standIn.close();
});

const RED_TICKET = {
  TicketId: 'ticket-red',
  ConfigurationName: 'ranked-5v5-config',
  Players: [
    { PlayerId: 'alice', Team: 'red', LatencyInMs: { 'eu-west-1': 24, 'us-east-1': 95 } },
    { PlayerId: 'bob', Team: 'red', LatencyInMs: { 'eu-west-1': 31, 'us-east-1': 88 } },
  ],
};
const BLUE_TICKET = {
  TicketId: 'ticket-blue',
  ConfigurationName: 'ranked-5v5-config',
  Players: [{ PlayerId: 'carol', Team: 'blue', LatencyInMs: { 'eu-central-1': 12 } }],
};

describe('DescribeMatchmaking through @aws-sdk/client-gamelift', () => {
  it('answers registered tickets with their players, teams and LatencyInMs keyed by AWS region code', async () => {
    standIn.tickets.register(RED_TICKET, BLUE_TICKET);

    const out = await describeTickets(client(), 'ticket-red', 'ticket-blue');

    expect(out.TicketList).toEqual([
      {
        TicketId: 'ticket-red',
        ConfigurationName: 'ranked-5v5-config',
        ConfigurationArn:
          'arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/ranked-5v5-config',
        Status: 'COMPLETED',
        StartTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        EndTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        Players: RED_TICKET.Players,
      },
      expect.objectContaining({ TicketId: 'ticket-blue', Players: BLUE_TICKET.Players }),
    ]);
  });

  it('omits tickets it does not know, as GameLift omits tickets that do not exist', async () => {
    standIn.tickets.register(RED_TICKET);

    const some = await describeTickets(client(), 'ticket-unknown', 'ticket-red');
    const none = await describeTickets(client(), 'ticket-unknown');

    expect(some.TicketList?.map((t) => t.TicketId)).toEqual(['ticket-red']);
    expect(none.TicketList).toEqual([]);
  });

  it('is reached through AWS_ENDPOINT_URL_GAMELIFT, the SDK endpoint variable the bridge uses', async () => {
    standIn.tickets.register(RED_TICKET);
    const before = process.env.AWS_ENDPOINT_URL_GAMELIFT;
    process.env.AWS_ENDPOINT_URL_GAMELIFT = standIn.url;
    try {
      const fromEnv = new GameLiftClient({ region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1 });
      clients.push(fromEnv);

      const out = await describeTickets(fromEnv, 'ticket-red');

      expect(out.TicketList?.[0]?.TicketId).toBe('ticket-red');
      expect(standIn.calls()).toEqual([{ ticketIds: ['ticket-red'], outcome: 'answered', found: 1 }]);
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_GAMELIFT;
      else process.env.AWS_ENDPOINT_URL_GAMELIFT = before;
    }
  });

  it('refuses more than 10 ticket ids, or an id GameLift would not accept, with InvalidRequestException', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `t-${i}`);

    const tooMany = await failure(describeTickets(client(), ...eleven));
    const badId = await failure(describeTickets(client(), 'not/a ticket'));

    expect(tooMany.name).toBe('InvalidRequestException');
    expect(tooMany.$metadata.httpStatusCode).toBe(400);
    expect(tooMany.message).toContain('TicketIds');
    expect(badId.name).toBe('InvalidRequestException');
    expect(standIn.calls()).toEqual([]);
  });
});

describe('fault injection', () => {
  it('answers a queued throttling fault with 400 ThrottlingException, then answers normally', async () => {
    standIn.tickets.register(RED_TICKET);
    standIn.faults.failNext('throttling');

    const throttled = await failure(describeTickets(client(), 'ticket-red'));
    const next = await describeTickets(client(), 'ticket-red');

    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect(next.TicketList).toHaveLength(1);
  });

  it('answers a queued internal fault with 500 InternalServiceException, a server fault', async () => {
    standIn.faults.failNext('internal');

    const error = await failure(describeTickets(client(), 'ticket-red'));

    expect(error.name).toBe('InternalServiceException');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe('server');
  });

  it('faults are ones the SDK retries: with its default retries the call succeeds after a throttle and a 500', async () => {
    standIn.tickets.register(RED_TICKET);
    standIn.faults.failNext('throttling');
    standIn.faults.failNext('internal');

    const out = await describeTickets(client({ maxAttempts: 3 }), 'ticket-red');

    expect(out.TicketList?.[0]?.TicketId).toBe('ticket-red');
    expect(standIn.calls().map((c) => c.outcome)).toEqual(['throttling', 'internal', 'answered']);
  });

  it('draws faults at seeded rates, the same sequence for the same seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      standIn.reset();
      standIn.faults.configure({ rates: { throttling: 0.3, internal: 0.2 }, seed: 7 });
      for (let i = 0; i < 30; i++) await describeTickets(client(), 't').catch(() => undefined);
      return standIn.calls().map((c) => c.outcome);
    };

    const first = await outcomes();

    expect(await outcomes()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['throttling', 'internal', 'answered']));
  });

  it('refuses rates that add up to more than 1', () => {
    expect(() => standIn.faults.configure({ rates: { throttling: 0.7, internal: 0.5 } })).toThrow(
      /at most 1/,
    );
  });
});

describe('answer latency', () => {
  it('holds every answer for the configured latency before answering', async () => {
    const waits: number[] = [];
    let release = (): void => undefined;
    const held = await startGameLiftStandIn({
      latencyMs: 20,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    try {
      held.tickets.register(RED_TICKET);
      const c = new GameLiftClient({ region: 'eu-west-1', credentials: CREDENTIALS, endpoint: held.url });
      clients.push(c);
      let answered = false;
      const call = describeTickets(c, 'ticket-red').then((out) => {
        answered = true;
        return out;
      });
      await expect.poll(() => waits).toEqual([20]);
      expect(answered).toBe(false);

      release();

      expect((await call).TicketList).toHaveLength(1);
      expect(held.calls()).toHaveLength(1);
    } finally {
      await held.close();
    }
  });

  it('close() ends an answer still waiting out its latency', async () => {
    let arrived = (): void => undefined;
    const waiting = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = await startGameLiftStandIn({
      latencyMs: 60_000,
      sleep: async (ms, signal) => {
        arrived();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      },
    });
    const c = new GameLiftClient({
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      endpoint: slow.url,
      maxAttempts: 1,
    });
    clients.push(c);
    const call = describeTickets(c, 'ticket-red').then(
      () => 'answered',
      () => 'failed',
    );
    await waiting;

    await slow.close();

    expect(await call).toBe('failed');
  });
});

describe('the wire', () => {
  const post = (headers: Record<string, string>, body = '{"TicketIds":["t"]}') =>
    fetch(standIn.url, { method: 'POST', headers, body });

  it('refuses an unsigned request with MissingAuthenticationTokenException', async () => {
    const res = await post({
      'x-amz-target': 'GameLift.DescribeMatchmaking',
      'content-type': 'application/x-amz-json-1.1',
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('refuses any other operation with UnknownOperationException', async () => {
    const res = await post({
      'x-amz-target': 'GameLift.StartMatchmaking',
      'content-type': 'application/x-amz-json-1.1',
      authorization: 'AWS4-HMAC-SHA256 Credential=local',
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses a body that is not JSON with SerializationException', async () => {
    const res = await post(
      {
        'x-amz-target': 'GameLift.DescribeMatchmaking',
        'content-type': 'application/x-amz-json-1.1',
        authorization: 'AWS4-HMAC-SHA256 Credential=local',
      },
      '{"TicketIds":',
    );

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

describe('ticket registration', () => {
  it('refuses a latency GameLift would not accept, naming the field', () => {
    const bad = {
      ...RED_TICKET,
      Players: [{ PlayerId: 'alice', LatencyInMs: { 'eu-west-1': 0 } }],
    };

    expect(() => standIn.tickets.register(bad)).toThrow(/Players.*LatencyInMs|too small/s);
    expect(standIn.tickets.size).toBe(0);
  });

  it('refuses a configuration name GameLift would not accept', () => {
    expect(() => standIn.tickets.register({ ...RED_TICKET, ConfigurationName: 'ranked 5v5' })).toThrow(
      /ConfigurationName|letters, digits/,
    );
  });

  it('registers tickets and sets faults over the admin routes, for another process', async () => {
    const put = await fetch(`${standIn.url}/__admin/tickets`, {
      method: 'PUT',
      body: JSON.stringify([RED_TICKET, { ...BLUE_TICKET, Status: 'PLACING' }]),
    });
    const fault = await fetch(`${standIn.url}/__admin/faults/next`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'throttling' }),
    });
    const refused = await fetch(`${standIn.url}/__admin/tickets`, {
      method: 'PUT',
      body: JSON.stringify({ TicketId: 'x' }),
    });

    expect(put.status).toBe(200);
    expect(fault.status).toBe(200);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ __type: 'InvalidRequestException' });
    expect((await failure(describeTickets(client(), 'ticket-red'))).name).toBe('ThrottlingException');
    const out = await describeTickets(client(), 'ticket-red', 'ticket-blue');
    expect(out.TicketList?.map((t) => [t.TicketId, t.Status])).toEqual([
      ['ticket-red', 'COMPLETED'],
      ['ticket-blue', 'PLACING'],
    ]);
  });
});
