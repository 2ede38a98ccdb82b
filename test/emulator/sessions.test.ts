import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AvailableLocationsOk,
  DescribedSession,
  ErrorResponse,
  JoinSessionOk,
  LeaveSessionOk,
  SessionListOk,
  SessionRunOk,
  TagOk,
} from '../../lambdas/gameye/contract.ts';
import {
  defaultEmulatorConfigInput,
  type EmulatorConfigInput,
  type RunningEmulator,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';
import { type Caller, type CallResult, callerFor, startArena } from '../../tools/gameye-emulator/testing.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function config(change: (c: EmulatorConfigInput) => void): EmulatorConfigInput {
  const copy = structuredClone(defaultEmulatorConfigInput);
  change(copy);
  return copy;
}

function expectError(res: CallResult, status: number): ErrorResponse {
  expect(res.status).toBe(status);
  const body = ErrorResponse.parse(res.json);
  expect(body.statusCode).toBe(status);
  expect(body.identifier).toMatch(UUID);
  return body;
}

const emulator: RunningEmulator = await startEmulator({
  config: config((c) => {
    c.tokens = [{ token: 'reader-token', scopes: ['session:read'] }, { token: 'unscoped-token' }];
    // Long enough that real time passing during a test never makes a session running by itself.
    c.startupDelayMs = 10_000;
    const sa = c.regions.find((r) => r.name === 'sa-east');
    if (sa) sa.capacity = 2;
  }),
});
const call: Caller = callerFor(emulator);

beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.close());

describe('authentication', () => {
  it('answers 401 with the error envelope when no bearer token is sent', async () => {
    const body = expectError(await callerFor(emulator, null)('GET', '/session'), 401);
    expect(body.path).toBe('/session');
  });

  it('answers 401 to a wrong token', async () => {
    expectError(await callerFor(emulator, 'not-the-token')('GET', '/session'), 401);
  });

  it('answers 403 when the token lacks the operation scope', async () => {
    const reader = callerFor(emulator, 'reader-token');
    expectError(await reader('POST', '/session', { location: 'eu-west-1', image: 'arena-server' }), 403);
    expect((await reader('GET', '/session')).status).toBe(200);
  });

  it('lets a configured token without scopes call every operation', async () => {
    const res = await callerFor(emulator, 'unscoped-token')('POST', '/session', {
      location: 'eu-west-1',
      image: 'arena-server',
    });
    expect(res.status).toBe(201);
  });

  it('gives every error a fresh identifier', async () => {
    const anonymous = callerFor(emulator, null);
    const a = expectError(await anonymous('GET', '/session'), 401);
    const b = expectError(await anonymous('GET', '/session'), 401);
    expect(a.identifier).not.toBe(b.identifier);
  });
});

describe('POST /session', () => {
  it('starts a session with the caller id and maps each image port to a host port in 20000-30000', async () => {
    const res = await call('POST', '/session', {
      id: 'match-1',
      location: 'eu-west-1',
      image: 'arena-server',
    });
    expect(res.status).toBe(201);
    const ok = SessionRunOk.parse(res.json);
    expect(ok.id).toBe('match-1');
    expect(['198.51.100.11', '198.51.100.12']).toContain(ok.host);
    expect(ok.ports.map((p) => `${p.container}/${p.type}`)).toEqual(['7777/udp', '27015/tcp']);
    for (const port of ok.ports) {
      expect(port.host).toBeGreaterThanOrEqual(20_000);
      expect(port.host).toBeLessThanOrEqual(30_000);
    }
  });

  it('generates an RFC 4122 UUID when the body has no id', async () => {
    const ok = await startArena(call);
    expect(ok.id).toMatch(UUID);
  });

  it('never hands the same host port to two active sessions on one host', async () => {
    const seen = new Map<string, Set<number>>();
    for (let i = 0; i < 40; i++) {
      const ok = await startArena(call);
      const ports = seen.get(ok.host) ?? new Set<number>();
      for (const p of ok.ports) {
        expect(ports.has(p.host)).toBe(false);
        ports.add(p.host);
      }
      seen.set(ok.host, ports);
    }
  });

  it('answers 409 to a reused id, even once the first session has stopped', async () => {
    await startArena(call, { id: 'dup' });
    expectError(
      await call('POST', '/session', { id: 'dup', location: 'eu-west-1', image: 'arena-server' }),
      409,
    );
    expect((await call('DELETE', '/session/dup')).status).toBe(204);
    expectError(
      await call('POST', '/session', { id: 'dup', location: 'eu-west-1', image: 'arena-server' }),
      409,
    );
  });

  it('answers 404 for an unknown image, an unknown location and a location without the image', async () => {
    expectError(await call('POST', '/session', { location: 'eu-west-1', image: 'nope' }), 404);
    expectError(await call('POST', '/session', { location: 'mars-1', image: 'arena-server' }), 404);
    expectError(await call('POST', '/session', { location: 'sa-east', image: 'brawl-server' }), 404);
  });

  it('answers 404 for a version tag the location does not have, and runs it where it does', async () => {
    expectError(
      await call('POST', '/session', { location: 'sa-east', image: 'arena-server', version: '1.5.0' }),
      404,
    );
    const ok = await startArena(call, { version: '1.5.0' });
    const described = DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json);
    expect(described.tag).toBe('1.5.0');
  });

  it('runs the image default tag when no version is given', async () => {
    const ok = await startArena(call);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).tag).toBe('1.4.0');
  });

  it('answers 420 when the region capacity is used up, and accepts again once a session stops', async () => {
    const body = { location: 'sa-east', image: 'arena-server' };
    const first = await call('POST', '/session', body);
    await call('POST', '/session', body);
    expectError(await call('POST', '/session', body), 420);
    await call('DELETE', `/session/${SessionRunOk.parse(first.json).id}`);
    expect((await call('POST', '/session', body)).status).toBe(201);
  });

  it('answers 422 with a violation per bad field of an invalid body', async () => {
    const res = await call('POST', '/session', { location: 'eu-west-1', ttl: '5s', extra: true });
    const body = expectError(res, 422);
    const fields = (body.violations ?? []).map((v) => v.field).sort();
    expect(fields).toEqual(['extra', 'image', 'ttl']);
    for (const v of body.violations ?? []) expect(v.description).not.toBe('');
  });

  it('answers 422 to a body that is not JSON', async () => {
    expectError(await call('POST', '/session', '{not json'), 422);
  });

  it('answers 402 once the configured total quota is spent', async () => {
    const limited = await startEmulator({
      config: config((c) => {
        c.quota = { totalSessions: 2 };
      }),
    });
    try {
      const limitedCall = callerFor(limited);
      await startArena(limitedCall);
      const second = await startArena(limitedCall);
      await limitedCall('DELETE', `/session/${second.id}`);
      expectError(
        await limitedCall('POST', '/session', { location: 'eu-west-1', image: 'arena-server' }),
        402,
      );
    } finally {
      await limited.close();
    }
  });
});

describe('session lifecycle', () => {
  it('reports created, then running after the startup delay on the virtual clock', async () => {
    const ok = await startArena(call);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('created');
    emulator.admin.advanceClock(emulator.config.startupDelayMs);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('running');
  });

  it('describes a session with port map, creation time, players and Gameye-style labels', async () => {
    const before = emulator.admin.now();
    const ok = await startArena(call, { labels: { match: 'm-1' }, env: { SECRET: 'hunter2' } });
    const described = DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json);
    expect(described.port).toEqual(
      Object.fromEntries(ok.ports.map((p) => [`${p.container}/${p.type}`, p.host])),
    );
    expect(described.created).toBeGreaterThanOrEqual(before);
    expect(described.players).toEqual({ joined: [], joinedCount: 0 });
    expect(JSON.parse(described.labels.env ?? '')).toEqual({
      GAMEYE_SESSION_ID: ok.id,
      GAMEYE_HOST: ok.host,
    });
    expect(JSON.parse(described.labels.tags ?? '')).toEqual({ match: 'm-1' });
    expect(JSON.stringify(described)).not.toContain('hunter2');
  });

  it('stops a session with 204, keeps it describable as exited, and answers 409 to a second stop', async () => {
    const ok = await startArena(call);
    expect((await call('DELETE', `/session/${ok.id}`)).status).toBe(204);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('exited');
    expectError(await call('DELETE', `/session/${ok.id}`), 409);
  });

  it('answers 404 to describing or stopping an unknown session', async () => {
    expectError(await call('GET', '/session/unknown'), 404);
    expectError(await call('DELETE', '/session/unknown'), 404);
  });

  it('stops a session by itself when its ttl expires on the virtual clock', async () => {
    const ok = await startArena(call, { ttl: '1m' });
    emulator.admin.advanceClock(30_000);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('running');
    emulator.admin.advanceClock(30_000);
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('exited');
    expectError(await call('DELETE', `/session/${ok.id}`), 409);
  });

  it('reports a crashed session as dead and stops counting it against capacity', async () => {
    const ok = await startArena(call, { location: 'sa-east' });
    await startArena(call, { location: 'sa-east' });
    emulator.admin.crash(ok.id, 'dead');
    expect(DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json).status).toBe('dead');
    expect((await call('POST', '/session', { location: 'sa-east', image: 'arena-server' })).status).toBe(201);
  });

  it('keeps an unreachable session active and listed', async () => {
    const ok = await startArena(call);
    emulator.admin.crash(ok.id, 'server_unreachable');
    const list = SessionListOk.parse((await call('GET', '/session')).json);
    expect(list.sessions.find((s) => s.id === ok.id)?.status).toBe('server_unreachable');
  });
});

describe('GET /session', () => {
  async function ids(query: string): Promise<string[]> {
    const res = await call('GET', `/session${query}`);
    expect(res.status).toBe(200);
    return SessionListOk.parse(res.json)
      .sessions.map((s) => s.id)
      .sort();
  }

  beforeEach(async () => {
    await startArena(call, { id: 'a', labels: { mode: 'ranked' } });
    await startArena(call, { id: 'b', location: 'na-east', labels: { mode: 'casual' } });
    await startArena(call, { id: 'c', version: '1.5.0', labels: { mode: 'ranked' } });
    await startArena(call, { id: 'd', labels: { mode: 'ranked' } });
    await call('DELETE', '/session/d');
    emulator.admin.setPlayerCount('a', 1);
    emulator.admin.setPlayerCount('b', 3);
    emulator.admin.setPlayerCount('c', 5);
  });

  it('lists only active sessions unless all=true', async () => {
    expect(await ids('')).toEqual(['a', 'b', 'c']);
    expect(await ids('?all=true')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports status, player count and labels in each entry', async () => {
    const list = SessionListOk.parse((await call('GET', '/session?all=true')).json);
    const b = list.sessions.find((s) => s.id === 'b');
    expect(b?.playerCount).toBe(3);
    expect(b?.status).toBe('created');
    expect(JSON.parse(b?.labels?.tags ?? '')).toEqual({ mode: 'casual' });
    expect(list.sessions.find((s) => s.id === 'd')?.status).toBe('exited');
  });

  it('filters by location, image, tag and host', async () => {
    expect(await ids('?location=na-east')).toEqual(['b']);
    expect(await ids('?image=arena-server')).toEqual(['a', 'b', 'c']);
    expect(await ids('?tag=1.5.0')).toEqual(['c']);
    const host = emulator.admin.sessions().find((s) => s.id === 'b')?.host ?? '';
    expect(await ids(`?host=${host}`)).toEqual(['b']);
  });

  it('compares playerCount[lt] and playerCount[gt] strictly', async () => {
    expect(await ids('?playerCount[lt]=3')).toEqual(['a']);
    expect(await ids('?playerCount[gt]=3')).toEqual(['c']);
    expect(await ids('?playerCount[gt]=1&playerCount[lt]=5')).toEqual(['b']);
    expect(await ids(`?${encodeURIComponent('playerCount[lt]')}=2`)).toEqual(['a']);
  });

  it('keeps sessions matching filter[k]=v on caller labels and on session fields', async () => {
    expect(await ids('?filter[mode]=ranked')).toEqual(['a', 'c']);
    expect(await ids('?all=true&filter[mode]=ranked')).toEqual(['a', 'c', 'd']);
    expect(await ids('?all=true&filter[status]=exited')).toEqual(['d']);
    expect(await ids('?filter[location]=na-east')).toEqual(['b']);
  });

  it('excludes sessions matching filterNot[k]=v', async () => {
    expect(await ids('?all=true&filterNot[status]=exited')).toEqual(['a', 'b', 'c']);
    expect(await ids('?filterNot[mode]=ranked')).toEqual(['b']);
    expect(await ids('?filterNot[tag]=1.4.0')).toEqual(['c']);
  });

  it('answers 422 to a playerCount that is not an integer', async () => {
    expectError(await call('GET', '/session?playerCount[lt]=many'), 422);
  });
});

describe('players', () => {
  it('records joining players and answers the total count', async () => {
    const ok = await startArena(call);
    const first = await call('PUT', '/session/player/join', { session: ok.id, players: ['p1', 'p2'] });
    expect(first.status).toBe(200);
    expect(JoinSessionOk.parse(first.json)).toEqual({ count: 2, players: ['p1', 'p2'] });
    const second = JoinSessionOk.parse(
      (await call('PUT', '/session/player/join', { session: ok.id, players: ['p2', 'p3'] })).json,
    );
    expect(second.count).toBe(3);
    const described = DescribedSession.parse((await call('GET', `/session/${ok.id}`)).json);
    expect(described.players).toEqual({ joined: ['p1', 'p2', 'p3'], joinedCount: 3 });
  });

  it('finds the session of leaving players without being told it', async () => {
    const ok = await startArena(call);
    await call('PUT', '/session/player/join', { session: ok.id, players: ['p1', 'p2', 'p3'] });
    const res = await call('DELETE', '/session/player/leave', { players: ['p1', 'p3'] });
    expect(res.status).toBe(200);
    expect(LeaveSessionOk.parse(res.json)).toEqual({ count: 1, players: ['p1', 'p3'] });
    const list = SessionListOk.parse((await call('GET', '/session')).json);
    expect(list.sessions.find((s) => s.id === ok.id)?.playerCount).toBe(1);
  });

  it('answers 404 to joining an unknown session and to players in no session leaving', async () => {
    expectError(await call('PUT', '/session/player/join', { session: 'ghost', players: ['p1'] }), 404);
    expectError(await call('DELETE', '/session/player/leave', { players: ['nobody'] }), 404);
  });

  it('answers 422 to join and leave bodies that break the contract', async () => {
    const join = expectError(await call('PUT', '/session/player/join', { players: 'p1' }), 422);
    expect(join.violations?.map((v) => v.field).sort()).toEqual(['players', 'session']);
    const leave = expectError(
      await call('DELETE', '/session/player/leave', { session: 'x', players: [] }),
      422,
    );
    expect(leave.violations?.map((v) => v.field)).toEqual(['session']);
  });
});

describe('regions and tags', () => {
  it('lists the locations hosting an image, each with its ping IPs', async () => {
    const res = await call('GET', '/available-location/brawl-server');
    expect(res.status).toBe(200);
    const ok = AvailableLocationsOk.parse(res.json);
    expect(ok.locations.map((l) => l.id)).toEqual(['eu-west-1', 'na-east', 'asia-northeast']);
    for (const l of ok.locations) expect(l.ips.length).toBeGreaterThan(0);
  });

  it('leaves out a location whose capacity is used up', async () => {
    await startArena(call, { location: 'sa-east' });
    await startArena(call, { location: 'sa-east' });
    const ok = AvailableLocationsOk.parse((await call('GET', '/available-location/arena-server')).json);
    expect(ok.locations.map((l) => l.id)).not.toContain('sa-east');
    expect(ok.locations.map((l) => l.id)).toContain('eu-west-1');
  });

  it('answers 404 for the available locations of an unknown image', async () => {
    expectError(await call('GET', '/available-location/nope'), 404);
  });

  it('says whether a tag exists in a region', async () => {
    expect(TagOk.parse((await call('GET', '/tag/eu-west-1/arena-server/1.5.0')).json)).toEqual({
      exists: true,
    });
    expect(TagOk.parse((await call('GET', '/tag/sa-east/arena-server/1.5.0')).json)).toEqual({
      exists: false,
    });
    expect(TagOk.parse((await call('GET', '/tag/mars-1/arena-server/1.4.0')).json)).toEqual({
      exists: false,
    });
    expectError(await call('GET', '/tag/eu-west-1/nope/1.0.0'), 404);
  });
});

describe('routing and counting', () => {
  it('answers 404 with the envelope for an unknown route and 405 for a wrong method', async () => {
    expectError(await call('GET', '/nothing-here'), 404);
    expectError(await call('PATCH', '/session'), 405);
  });

  it('counts requests per operation, whatever the answer', async () => {
    await startArena(call);
    await callerFor(emulator, null)('POST', '/session', {});
    await call('GET', '/session');
    const stats = emulator.admin.stats();
    expect(stats['session-run']).toBe(2);
    expect(stats['session-list']).toBe(1);
    expect(stats['describe-session']).toBe(0);
  });

  it('forgets sessions, stats and clock on reset', async () => {
    await startArena(call);
    emulator.admin.advanceClock(10_000);
    emulator.admin.reset();
    expect(emulator.admin.sessions()).toEqual([]);
    expect(emulator.admin.stats()['session-run']).toBe(0);
  });
});
