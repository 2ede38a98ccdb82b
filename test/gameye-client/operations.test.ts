/**
 * Every Gameye operation through the client against the emulator on loopback.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { GameyeError, type GameyeRequestEvent } from '../../lambdas/gameye/index.ts';
import { useEmulator } from './emulator.ts';

const fx = useEmulator();
const START = { location: 'eu-west-1', image: 'arena-server' } as const;

describe('startSession', () => {
  it('starts a session under the caller id and reports its host and ports', async () => {
    const started = await fx.gameye.startSession({ ...START, id: 'match-1', labels: { match: 'm-1' } });

    expect(started.id).toBe('match-1');
    expect(started.host).toMatch(/^198\.51\.100\.1\d$/);
    expect(started.ports.map((p) => `${p.container}/${p.type}`).sort()).toEqual(['27015/tcp', '7777/udp']);
    expect(fx.emulator.admin.sessions().map((s) => s.id)).toEqual(['match-1']);
  });

  it('starts a session without an id and reports the one Gameye generated', async () => {
    const started = await fx.gameye.startSession({ ...START, version: '1.5.0', ttl: '1h' });

    expect(started.id).toMatch(/[0-9a-f-]{36}/);
    expect(fx.emulator.admin.sessions()[0]?.id).toBe(started.id);
  });
});

describe('describeSession', () => {
  it('describes a session with its raw labels and the decoded caller labels', async () => {
    await fx.gameye.startSession({ ...START, id: 's-describe', labels: { match: 'm-7', mode: 'ranked' } });

    const session = await fx.gameye.describeSession('s-describe');

    expect(session).toMatchObject({
      id: 's-describe',
      image: 'arena-server',
      location: 'eu-west-1',
      tag: '1.4.0',
    });
    expect(typeof session.labels.tags).toBe('string');
    expect(session.userLabels).toEqual({ match: 'm-7', mode: 'ranked' });
    expect(session.injectedEnv.GAMEYE_SESSION_ID).toBe('s-describe');
    expect(session.players).toEqual({ joined: [], joinedCount: 0 });
  });
});

describe('listSessions', () => {
  it('filters by location, image, labels, status and player count', async () => {
    await fx.gameye.startSession({ ...START, id: 'a', labels: { queue: 'ranked' } });
    await fx.gameye.startSession({ ...START, id: 'b', labels: { queue: 'casual' } });
    await fx.gameye.startSession({ location: 'na-east', image: 'brawl-server', id: 'c' });
    fx.emulator.admin.setPlayerCount('a', 6);
    await fx.gameye.stopSession('b');
    const ids = async (query: Parameters<typeof fx.gameye.listSessions>[0]) =>
      (await fx.gameye.listSessions(query)).map((s) => s.id).sort();

    expect(await ids({})).toEqual(['a', 'c']);
    expect(await ids({ all: true })).toEqual(['a', 'b', 'c']);
    expect(await ids({ location: 'na-east' })).toEqual(['c']);
    expect(await ids({ image: 'arena-server', all: true })).toEqual(['a', 'b']);
    expect(await ids({ all: true, filter: { queue: 'casual' } })).toEqual(['b']);
    expect(await ids({ all: true, filterNot: { status: 'exited' } })).toEqual(['a', 'c']);
    expect(await ids({ playerCount: { gt: 5 } })).toEqual(['a']);
    expect(await ids({ playerCount: { lt: 1 } })).toEqual(['c']);
  });

  it('decodes the caller labels of every listed session', async () => {
    await fx.gameye.startSession({ ...START, id: 'labelled', labels: { match: 'm-9' } });

    const [entry] = await fx.gameye.listSessions();

    expect(entry?.userLabels).toEqual({ match: 'm-9' });
  });
});

describe('stopSession', () => {
  it('stops a running session and answers 409 when it is stopped again', async () => {
    await fx.gameye.startSession({ ...START, id: 'to-stop' });

    await fx.gameye.stopSession('to-stop');

    expect((await fx.gameye.describeSession('to-stop')).status).toBe('exited');
    await expect(fx.gameye.stopSession('to-stop')).rejects.toMatchObject({ status: 409, retryable: false });
  });
});

describe('joinPlayers and leavePlayers', () => {
  it('records players joining and leaving', async () => {
    await fx.gameye.startSession({ ...START, id: 'players' });

    const joined = await fx.gameye.joinPlayers('players', ['p1', 'p2', 'p3']);
    const left = await fx.gameye.leavePlayers(['p2']);

    expect(joined).toEqual({ count: 3, players: ['p1', 'p2', 'p3'] });
    expect(left.players).toEqual(['p2']);
    expect((await fx.gameye.describeSession('players')).players.joined.sort()).toEqual(['p1', 'p3']);
  });
});

describe('availableLocations and tagExists', () => {
  it('lists the locations able to host an image with their ping IPs', async () => {
    const locations = await fx.gameye.availableLocations('brawl-server');

    expect(locations.map((l) => l.id).sort()).toEqual(['asia-northeast', 'eu-west-1', 'na-east']);
    expect(locations.every((l) => l.ips.length > 0)).toBe(true);
  });

  it('tells whether a tag is in the fleet of a region', async () => {
    expect(await fx.gameye.tagExists('eu-west-1', 'arena-server', '1.5.0')).toBe(true);
    expect(await fx.gameye.tagExists('sa-east', 'arena-server', '1.5.0')).toBe(false);
  });
});

describe('artifact', () => {
  it('streams a stopped session folder as a tar.gz that unpacks to its files', async () => {
    await fx.gameye.startSession({ ...START, id: 'art' });
    await fx.gameye.stopSession('art');
    const names: string[] = [];
    const untar = extract();
    untar.on('entry', (header, stream, next) => {
      names.push(header.name);
      stream.on('end', next);
      stream.resume();
    });

    const body = await fx.gameye.artifact('art', '/home/gameserver/logs');
    await pipeline(body, createGunzip(), untar);

    expect(names.some((n) => n.endsWith('server.log'))).toBe(true);
  });

  it('answers a GameyeError 404 while the session still runs', async () => {
    await fx.gameye.startSession({ ...START, id: 'still-running' });

    const error = await fx.gameye.artifact('still-running', '/home/gameserver/logs').catch((e) => e);

    expect(error).toBeInstanceOf(GameyeError);
    expect(error).toMatchObject({ status: 404, operation: 'artifacts', retryable: false });
    expect(error.identifier).toMatch(/[0-9a-f-]{36}/);
  });

  it('lets the consumer stop early by destroying the stream', async () => {
    await fx.gameye.startSession({ ...START, id: 'early' });
    await fx.gameye.stopSession('early');
    let bytes = 0;

    const body = await fx.gameye.artifact('early', '/home/gameserver/replays/match.replay');
    await new Promise<void>((resolve) => {
      body.pipe(
        new Writable({
          write(chunk: Buffer, _enc, done) {
            bytes += chunk.length;
            body.destroy();
            done();
            resolve();
          },
        }),
      );
    });

    expect(bytes).toBeGreaterThan(0);
    await expect(fx.gameye.tagExists('eu-west-1', 'arena-server', '1.4.0')).resolves.toBe(true);
  });
});

describe('logs', () => {
  it('yields the log lines written so far, one by one without newlines', async () => {
    await fx.gameye.startSession({ ...START, id: 'logged' });
    const lines: string[] = [];

    for await (const line of fx.gameye.logs('logged')) lines.push(line);

    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines[0]).toContain('session logged');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('throws a GameyeError 404 for an unknown session when iteration starts', async () => {
    const iterate = async () => {
      for await (const _ of fx.gameye.logs('nope')) {
        // never reached
      }
    };

    await expect(iterate()).rejects.toMatchObject({
      name: 'GameyeError',
      status: 404,
      operation: 'stream-logs',
    });
  });
});

describe('onRequest', () => {
  it('tells the hook about each call with its operation, method, path and status', async () => {
    const events: GameyeRequestEvent[] = [];
    const client = fx.client({ onRequest: (event) => events.push(event) });

    await client.startSession({ ...START, id: 'counted' });
    await client.describeSession('counted');
    await client.stopSession('counted');

    expect(events.map((e) => [e.operation, e.method, e.path, e.attempt, e.status])).toEqual([
      ['session-run', 'POST', '/session', 1, 201],
      ['describe-session', 'GET', '/session/counted', 1, 200],
      ['session-stop', 'DELETE', '/session/counted', 1, 204],
    ]);
  });
});
