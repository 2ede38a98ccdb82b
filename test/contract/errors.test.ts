/**
 * Every error status the spec declares, per operation, that the emulator can produce; plus
 * the injected 500 (Gameye's envelope) and 503 (a gateway's page), which the spec does not
 * declare at all. Each exchange is validated against the shared spec.
 */
import { describe, expect, it } from 'vitest';
import type { GameyeClient, GameyeOperation } from '../../lambdas/gameye/index.ts';
import { envelopeErrors } from './support/openapi.ts';
import { CONTRACT_CONFIG, drainStream, expectGameyeError, useContractRig } from './support/rig.ts';

const rig = useContractRig();

/** One call per operation, with ids that exist nowhere (auth and faults come first). */
const CALLS: Record<GameyeOperation, (client: GameyeClient) => Promise<unknown>> = {
  'session-run': (c) => c.startSession({ id: 'nope', location: 'eu-west-1', image: 'arena-server' }),
  'session-list': (c) => c.listSessions({ all: true }),
  'describe-session': (c) => c.describeSession('nope'),
  'session-stop': (c) => c.stopSession('nope'),
  'join-session': (c) => c.joinPlayers('nope', ['p1']),
  'leave-session': (c) => c.leavePlayers(['p1']),
  artifacts: (c) => c.artifact('nope', '/home/gameserver/logs'),
  'get-available-locations': (c) => c.availableLocations('arena-server'),
  'tag-exists': (c) => c.tagExists('eu-west-1', 'arena-server', '1.4.0'),
  'stream-logs': (c) => drainStream(c.logs('nope')),
};
const OPERATIONS = Object.keys(CALLS) as GameyeOperation[];
/** join-session and leave-session declare no `security` in the spec, hence no scope. */
const SCOPED = OPERATIONS.filter((op) => op !== 'join-session' && op !== 'leave-session');

describe('401 and 403', () => {
  it.each(OPERATIONS)('%s answers a conforming 401 ErrorResponse to an unknown token', async (op) => {
    const error = await expectGameyeError(CALLS[op](rig.unknownToken), 401);
    expect(error.identifier).toBeDefined();
    await rig.verify([`${op} 401`]);
  });

  it.each(SCOPED)('%s answers a conforming 403 ErrorResponse to a token lacking its scope', async (op) => {
    await expectGameyeError(CALLS[op](rig.scopeless), 403);
    await rig.verify([`${op} 403`]);
  });
});

describe('session-run errors', () => {
  it('answers a conforming 402 once the quota is spent', async () => {
    rig.emulator.admin.setConfig({ quota: { totalSessions: 1 } });
    await rig.gameye.startSession({ id: 'q1', location: 'eu-west-1', image: 'arena-server' });
    await expectGameyeError(
      rig.gameye.startSession({ id: 'q2', location: 'eu-west-1', image: 'arena-server' }),
      402,
    );
    await rig.verify(['session-run 201', 'session-run 402']);
  });

  it('answers a conforming 404 for an unknown image, location or version', async () => {
    await expectGameyeError(rig.gameye.startSession({ location: 'eu-west-1', image: 'no-such-game' }), 404);
    await expectGameyeError(rig.gameye.startSession({ location: 'moon-base-1', image: 'arena-server' }), 404);
    await expectGameyeError(
      rig.gameye.startSession({ location: 'eu-west-1', image: 'arena-server', version: '9.9.9' }),
      404,
    );
    await rig.verify(['session-run 404', 'session-run 404', 'session-run 404']);
  });

  it('answers a conforming 409 to a reused session id', async () => {
    await rig.gameye.startSession({ id: 'twice', location: 'eu-west-1', image: 'arena-server' });
    await expectGameyeError(
      rig.gameye.startSession({ id: 'twice', location: 'eu-west-1', image: 'arena-server' }),
      409,
    );
    await rig.verify(['session-run 201', 'session-run 409']);
  });

  it('answers a conforming 420 when the region is full', async () => {
    rig.emulator.admin.setConfig({
      regions: (CONTRACT_CONFIG.regions ?? []).map((r) => (r.name === 'sa-east' ? { ...r, capacity: 1 } : r)),
    });
    await rig.gameye.startSession({ location: 'sa-east', image: 'arena-server' });
    await expectGameyeError(rig.gameye.startSession({ location: 'sa-east', image: 'arena-server' }), 420);
    await rig.verify(['session-run 201', 'session-run 420']);
  });

  it('answers a conforming 420 when it is injected', async () => {
    rig.emulator.admin.setFaults('session-run', { error420Probability: 1 });
    await expectGameyeError(rig.gameye.startSession({ location: 'eu-west-1', image: 'arena-server' }), 420);
    await rig.verify(['session-run 420']);
  });

  it('answers a conforming 422 to a spec-valid ttl it cannot parse (the spec types ttl as any string)', async () => {
    await expectGameyeError(
      rig.gameye.startSession({ location: 'eu-west-1', image: 'arena-server', ttl: 'soon' }),
      422,
    );
    await rig.verify(['session-run 422']);
  });

  it('answers a conforming 422 to an empty env value, a body the client sends without checking it', async () => {
    const error = await expectGameyeError(
      rig.gameye.startSession({ location: 'eu-west-1', image: 'arena-server', env: { MODE: '' } }),
      422,
    );
    expect(error.violations.map((v) => v.field)).toEqual(['env.MODE']);
    await rig.verify([{ call: 'session-run 422', request: 'invalid' }]);
  });

  it('answers a conforming 422 to an unknown property and to a body that is not JSON', async () => {
    const unknown = await rig.raw(
      'POST',
      '/session',
      '{"location":"eu-west-1","image":"arena-server","colour":"red"}',
    );
    const garbled = await rig.raw('POST', '/session', '{"location":');
    expect([unknown.status, garbled.status]).toEqual([422, 422]);
    await rig.verify([
      { call: 'session-run 422', request: 'invalid' },
      { call: 'session-run 422', request: 'invalid' },
    ]);
  });
});

describe('describe-session and session-stop errors', () => {
  it('answer a conforming 404 for an unknown session', async () => {
    await expectGameyeError(rig.gameye.describeSession('ghost'), 404);
    await expectGameyeError(rig.gameye.stopSession('ghost'), 404);
    await rig.verify(['describe-session 404', 'session-stop 404']);
  });

  it('session-stop answers a conforming 409 to a second stop', async () => {
    await rig.gameye.startSession({ id: 'stop-twice', location: 'eu-west-1', image: 'arena-server' });
    await rig.gameye.stopSession('stop-twice');
    await expectGameyeError(rig.gameye.stopSession('stop-twice'), 409);
    await rig.verify(['session-run 201', 'session-stop 204', 'session-stop 409']);
  });
});

describe('join-session and leave-session errors', () => {
  it('answer a conforming 404 for an unknown session and for players in no session', async () => {
    await expectGameyeError(rig.gameye.joinPlayers('ghost', ['p1']), 404);
    await expectGameyeError(rig.gameye.leavePlayers(['nobody']), 404);
    await rig.verify(['join-session 404', 'leave-session 404']);
  });

  it('answer a conforming 422 to bodies that break JoinSession and LeaveSession', async () => {
    const join = await rig.raw('PUT', '/session/player/join', '{"session":"s","players":"p1"}');
    const leave = await rig.raw('DELETE', '/session/player/leave', '{"session":"s","players":["p1"]}');
    expect([join.status, leave.status]).toEqual([422, 422]);
    await rig.verify([
      { call: 'join-session 422', request: 'invalid' },
      { call: 'leave-session 422', request: 'invalid' },
    ]);
  });
});

describe('artifacts, get-available-locations, tag-exists and stream-logs errors', () => {
  it('artifacts answers a conforming 404 for an unknown session, a running one, a missing path and a removed container', async () => {
    await expectGameyeError(rig.gameye.artifact('ghost', '/home/gameserver/logs'), 404);
    await rig.gameye.startSession({ id: 'art', location: 'eu-west-1', image: 'arena-server' });
    await expectGameyeError(rig.gameye.artifact('art', '/home/gameserver/logs'), 404);
    await rig.gameye.stopSession('art');
    await expectGameyeError(rig.gameye.artifact('art', '/no/such/file'), 404);
    rig.emulator.admin.advanceClock(CONTRACT_CONFIG.artifactRemovalDelayMs ?? 600_000);
    await expectGameyeError(rig.gameye.artifact('art', '/home/gameserver/logs'), 404);
    await rig.verify([
      'artifacts 404',
      'session-run 201',
      'artifacts 404',
      'session-stop 204',
      'artifacts 404',
      'artifacts 404',
    ]);
  });

  it('get-available-locations and tag-exists answer a conforming 404 for an unknown image', async () => {
    await expectGameyeError(rig.gameye.availableLocations('no-such-game'), 404);
    await expectGameyeError(rig.gameye.tagExists('eu-west-1', 'no-such-game', '1.0.0'), 404);
    await rig.verify(['get-available-locations 404', 'tag-exists 404']);
  });

  it('stream-logs answers a conforming 404 for an unknown session, with and without follow', async () => {
    await expectGameyeError(drainStream(rig.gameye.logs('ghost')), 404);
    await expectGameyeError(drainStream(rig.gameye.logs('ghost', { follow: true })), 404);
    await rig.verify(['stream-logs 404', 'stream-logs 404']);
  });
});

describe('injected server errors, which the spec does not declare', () => {
  it.each(OPERATIONS)('%s answers an injected 500 with a valid Gameye ErrorResponse envelope', async (op) => {
    rig.emulator.admin.setFaults(op, { error500Probability: 1 });
    const error = await expectGameyeError(CALLS[op](rig.gameye), 500);
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    const [report] = await rig.verify([{ call: `${op} 500`, response: 'undeclared' }]);
    expect(envelopeErrors(rig.validator, report?.exchange.responseBody ?? '')).toEqual([]);
  });

  it.each(OPERATIONS)('%s answers an injected 503 as a gateway would, without the envelope', async (op) => {
    rig.emulator.admin.setFaults(op, { error503Probability: 1 });
    const error = await expectGameyeError(CALLS[op](rig.gameye), 503);
    expect(error.code).toBe('GATEWAY_ERROR');
    const [report] = await rig.verify([{ call: `${op} 503`, response: 'undeclared' }]);
    // Gameye documents that gateway errors (500, 503, 504) may come without the envelope.
    expect(report?.exchange.contentType).toBe('text/html');
    expect(envelopeErrors(rig.validator, report?.exchange.responseBody ?? '')).not.toEqual([]);
  });
});

describe('known gaps between the emulator and the spec', () => {
  it('join-session and leave-session declare no security, so a scope-less token is not refused with 403', async () => {
    await expectGameyeError(rig.scopeless.joinPlayers('ghost', ['p1']), 404);
    await expectGameyeError(rig.scopeless.leavePlayers(['nobody']), 404);
    await rig.verify(['join-session 404', 'leave-session 404']);
  });

  it('artifacts answers 422, which the spec does not declare for it, to a relative path', async () => {
    await rig.gameye.startSession({ id: 'rel', location: 'eu-west-1', image: 'arena-server' });
    await rig.gameye.stopSession('rel');
    await expectGameyeError(rig.gameye.artifact('rel', 'relative/path'), 422);
    await rig.verify([
      'session-run 201',
      'session-stop 204',
      { call: 'artifacts 422', response: 'undeclared' },
    ]);
  });

  it('session-list answers 422, which the spec does not declare for it, to a non-integer playerCount', async () => {
    const res = await rig.raw('GET', '/session?playerCount[lt]=few');
    expect(res.status).toBe(422);
    await rig.verify([{ call: 'session-list 422', request: 'invalid', response: 'undeclared' }]);
  });
});
