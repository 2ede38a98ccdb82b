/**
 * Every operation's success path, client → recording proxy → emulator: each request the
 * client sends and each response the emulator returns is validated against the shared spec.
 */
import { describe, expect, it } from 'vitest';
import { drainStream, useContractRig } from './support/rig.ts';

const rig = useContractRig();

describe('session-run', () => {
  it('sends a conforming start with the caller id and gets a conforming SessionRunOk', async () => {
    const started = await rig.gameye.startSession({
      id: 'contract-start-1',
      location: 'eu-west-1',
      image: 'arena-server',
      env: { MODE: 'ranked' },
      args: ['--max-players=8'],
      restart: false,
      labels: { match: 'm-1' },
      version: '1.5.0',
      ttl: '2h30m',
      external_id: 'match-1',
    });
    expect(started.id).toBe('contract-start-1');
    await rig.verify(['session-run 201']);
  });

  it('sends a conforming start without an id and learns the generated one from the response', async () => {
    const started = await rig.gameye.startSession({ location: 'na-east', image: 'brawl-server' });
    expect(started.id).not.toBe('');
    const [report] = await rig.verify(['session-run 201']);
    expect(JSON.parse(report?.exchange.responseBody ?? '{}')).toHaveProperty('id', started.id);
  });
});

describe('session-list', () => {
  /** Three sessions: a ranked match with two players, a 1.5.0 one, and a stopped brawl. */
  async function seed(): Promise<void> {
    await rig.gameye.startSession({
      id: 'ranked',
      location: 'eu-west-1',
      image: 'arena-server',
      labels: { mode: 'ranked' },
    });
    await rig.gameye.joinPlayers('ranked', ['p1', 'p2']);
    await rig.gameye.startSession({
      id: 'newer',
      location: 'us-east-1',
      image: 'arena-server',
      version: '1.5.0',
    });
    await rig.gameye.startSession({ id: 'brawl', location: 'eu-west-1', image: 'brawl-server' });
    await rig.gameye.stopSession('brawl');
  }
  const SEED = [
    'session-run 201',
    'join-session 200',
    'session-run 201',
    'session-run 201',
    'session-stop 204',
  ];

  const cases: readonly [string, Parameters<typeof rig.gameye.listSessions>[0], readonly string[]][] = [
    ['no filter', {}, ['newer', 'ranked']],
    ['all=true', { all: true }, ['brawl', 'newer', 'ranked']],
    ['location', { location: 'eu-west-1' }, ['ranked']],
    ['image', { image: 'arena-server' }, ['newer', 'ranked']],
    ['tag', { tag: '1.5.0' }, ['newer']],
    ['host', { host: '198.51.100.21' }, ['newer']],
    ['playerCount[lt]', { playerCount: { lt: 1 } }, ['newer']],
    ['playerCount[gt]', { playerCount: { gt: 1 } }, ['ranked']],
    ['playerCount[lt] and [gt]', { playerCount: { gt: 0, lt: 3 } }, ['ranked']],
    ['filter on a label', { filter: { mode: 'ranked' } }, ['ranked']],
    ['filter on status', { all: true, filter: { status: 'exited' } }, ['brawl']],
    ['filterNot on status (API V2)', { all: true, filterNot: { status: 'exited' } }, ['newer', 'ranked']],
    [
      'every filter at once',
      {
        all: true,
        location: 'eu-west-1',
        image: 'arena-server',
        tag: '1.4.0',
        host: '198.51.100.11',
        playerCount: { gt: 1, lt: 5 },
        filter: { mode: 'ranked' },
        filterNot: { status: 'dead' },
      },
      ['ranked'],
    ],
  ];

  it.each(cases)(
    'sends a conforming list query with %s and gets a conforming SessionListOk',
    async (_name, query, ids) => {
      await seed();
      const sessions = await rig.gameye.listSessions(query);
      expect(sessions.map((s) => s.id).sort()).toEqual(ids);
      await rig.verify([...SEED, 'session-list 200']);
    },
  );
});

describe('describe-session, session-stop, join-session and leave-session', () => {
  it('exchange conforming requests and responses over a session lifetime', async () => {
    await rig.gameye.startSession({ id: 'life', location: 'eu-west-1', image: 'arena-server' });
    const joined = await rig.gameye.joinPlayers('life', ['p1', 'p2', 'p3']);
    expect(joined.count).toBe(3);
    const described = await rig.gameye.describeSession('life');
    expect(described.players.joinedCount).toBe(3);
    const left = await rig.gameye.leavePlayers(['p2']);
    expect(left.players).toEqual(['p2']);
    await rig.gameye.stopSession('life');
    expect((await rig.gameye.describeSession('life')).status).toBe('exited');
    await rig.verify([
      'session-run 201',
      'join-session 200',
      'describe-session 200',
      'leave-session 200',
      'session-stop 204',
      'describe-session 200',
    ]);
  });
});

describe('artifacts', () => {
  it('streams the 1 MiB synthetic artifact as a conforming application/x-tar 200', async () => {
    await rig.gameye.startSession({ id: 'art', location: 'eu-west-1', image: 'arena-server' });
    await rig.gameye.stopSession('art');
    const bytes = await drainStream(
      await rig.gameye.artifact('art', '/home/gameserver/replays/match.replay'),
    );
    const [, , report] = await rig.verify(['session-run 201', 'session-stop 204', 'artifacts 200']);
    expect(report?.exchange.responseBytes).toBe(bytes);
    expect(report?.exchange.complete).toBe(true);
  });

  it('streams a fixture folder as a conforming application/x-tar 200', async () => {
    await rig.gameye.startSession({ id: 'art-dir', location: 'eu-west-1', image: 'arena-server' });
    await rig.gameye.stopSession('art-dir');
    expect(await drainStream(await rig.gameye.artifact('art-dir', '/home/gameserver/logs'))).toBeGreaterThan(
      0,
    );
    await rig.verify(['session-run 201', 'session-stop 204', 'artifacts 200']);
  });
});

describe('get-available-locations and tag-exists', () => {
  it('answer conforming AvailableLocationsOk and TagOk bodies', async () => {
    const locations = await rig.gameye.availableLocations('brawl-server');
    expect(locations.map((l) => l.id).sort()).toEqual(['asia-northeast', 'eu-west-1', 'na-east']);
    expect(await rig.gameye.tagExists('eu-west-1', 'arena-server', '1.5.0')).toBe(true);
    expect(await rig.gameye.tagExists('sa-east', 'arena-server', '1.5.0')).toBe(false);
    await rig.verify(['get-available-locations 200', 'tag-exists 200', 'tag-exists 200']);
  });
});

describe('stream-logs', () => {
  it('answers a conforming text/plain 200 without follow that ends by itself', async () => {
    await rig.gameye.startSession({ id: 'logs', location: 'eu-west-1', image: 'arena-server' });
    const lines: string[] = [];
    for await (const line of rig.gameye.logs('logs')) lines.push(line);
    expect(lines.length).toBeGreaterThan(0);
    const [, report] = await rig.verify(['session-run 201', 'stream-logs 200']);
    expect(report?.exchange.query).toBe('id=logs');
    expect(report?.exchange.complete).toBe(true);
  });

  it('answers a conforming text/plain 200 with follow=true that the caller aborts', async () => {
    await rig.gameye.startSession({ id: 'follow', location: 'eu-west-1', image: 'arena-server' });
    const controller = new AbortController();
    const lines: string[] = [];
    for await (const line of rig.gameye.logs('follow', { follow: true, signal: controller.signal })) {
      lines.push(line);
      controller.abort();
    }
    expect(lines.length).toBeGreaterThan(0);
    const [, report] = await rig.verify(['session-run 201', 'stream-logs 200']);
    expect(report?.exchange.query).toBe('id=follow&follow=true');
    expect(report?.exchange.complete).toBe(false);
  });
});
