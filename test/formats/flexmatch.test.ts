/**
 * FlexMatch events at the edge: MatchmakingSucceeded of a configured configuration becomes
 * MatchFound v1 (latencies looked up later), other event types are acknowledged, an
 * unconfigured configuration is refused, a backfill ticket makes it a backfill, and every bad
 * field is named by its FlexMatch path.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { flexMatchIdOf } from '../../lambdas/core/formats/flexmatch.ts';
import { type InboundMessage, readInbound } from '../../lambdas/core/inbound.ts';
import { aConfigAcceptingAll, aFlexMatchEvent, CONFIGURATION } from '../fixtures/native.ts';

const sources = parseBridgeConfig(aConfigAcceptingAll()).sources;
const read = (event: unknown): InboundMessage => readInbound(JSON.stringify(event), sources);

function invalid(message: InboundMessage) {
  if (message.kind !== 'invalid') throw new Error(`expected an invalid message, got ${message.kind}`);
  return message.error;
}

describe('a FlexMatch MatchmakingSucceeded event', () => {
  it('becomes a match with FlexMatch’s match id, the configuration’s profile, the players and their teams', () => {
    const message = read(aFlexMatchEvent());

    expect(message).toEqual({
      kind: 'match',
      format: 'flexmatch',
      match: {
        version: 1,
        matchId: '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
        profile: 'arena',
        players: [
          { id: 'alice', team: 'red', latencies: {} },
          { id: 'carol', team: 'red', latencies: {} },
          { id: 'bob', team: 'blue', latencies: {} },
        ],
      },
      notes: [],
      tickets: [
        { ticketId: 'ticket-a', playerIds: ['alice', 'carol'] },
        { ticketId: 'ticket-b', playerIds: ['bob'] },
      ],
    });
  });

  it('is refused, naming the configuration, when the deployment does not place that configuration', () => {
    const message = read(
      aFlexMatchEvent({}, ['arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/someone-elses']),
    );

    expect(message).toMatchObject({
      kind: 'refused',
      format: 'flexmatch',
      reason: 'unknown-configuration',
      matchId: '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
    });
    expect(message.kind === 'refused' && message.message).toContain('someone-elses');
    expect(message.kind === 'refused' && message.message).toContain(CONFIGURATION);
  });

  it('is refused, naming the format, by a deployment that accepts no FlexMatch at all', () => {
    const message = readInbound(JSON.stringify(aFlexMatchEvent()), { matchFound: {} });

    expect(message).toMatchObject({ kind: 'refused', format: 'flexmatch', reason: 'format-not-accepted' });
    expect(message.kind === 'refused' && message.message).toContain('FlexMatch');
  });

  it('names each bad field by its FlexMatch path, with the format', () => {
    const event = aFlexMatchEvent({
      tickets: [
        { ticketId: 'ticket a', players: [{ playerId: 'alice' }] },
        { ticketId: 'ticket-b', players: [{ playerId: 'alice' }, { playerId: 'bad id!' }] },
      ],
    });

    const error = invalid(read(event));

    expect(error.format).toBe('FlexMatch');
    expect(error.message).toMatch(/^invalid FlexMatch message: /);
    expect(error.issues.map((i) => i.path)).toEqual([
      'detail.tickets[0].ticketId',
      'detail.tickets[1].players[1].playerId',
      'detail.tickets[1].players[0].playerId',
    ]);
    expect(error.matchId).toBe('9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e');
  });

  it('refuses more players than a match may have, at detail.tickets', () => {
    const tickets = Array.from({ length: 51 }, (_, t) => ({
      ticketId: `t-${t}`,
      players: [{ playerId: `p-${t}-a` }, { playerId: `p-${t}-b` }],
    }));

    const error = invalid(read(aFlexMatchEvent({ tickets })));

    expect(error.issues).toEqual([
      { path: 'detail.tickets', message: 'expected at most 100 players, got 102' },
    ]);
  });

  it('names resources when no matchmaking configuration ARN is among them', () => {
    const error = invalid(
      read(aFlexMatchEvent({}, ['arn:aws:gamelift:eu-west-1:123456789012:gamesession/x'])),
    );

    expect(error.issues).toEqual([
      { path: 'resources', message: 'expected a matchmaking configuration ARN' },
    ]);
  });
});

describe('FlexMatch events of other types', () => {
  it.each([
    'MatchmakingSearching',
    'PotentialMatchCreated',
    'AcceptMatch',
    'AcceptMatchCompleted',
    'MatchmakingTimedOut',
    'MatchmakingCancelled',
    'MatchmakingFailed',
  ])('%s is acknowledged without anything to do', (type) => {
    expect(read(aFlexMatchEvent({ type }))).toEqual({
      kind: 'ignored',
      format: 'flexmatch',
      what: `FlexMatch ${type}`,
      matchId: '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
    });
  });
});

describe('a FlexMatch backfill (a MatchmakingSucceeded with a ticket named backfill.<matchId>)', () => {
  const backfill = (ticketId: string) =>
    aFlexMatchEvent({
      matchId: 'b2c3d4e5-0000-4000-8000-000000000001',
      tickets: [
        {
          ticketId,
          players: [
            { playerId: 'alice', team: 'red' },
            { playerId: 'bob', team: 'blue' },
          ],
        },
        { ticketId: 'ticket-new', players: [{ playerId: 'dave', team: 'blue' }] },
      ],
    });

  it.each([
    'backfill.9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
    'backfill.9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e.2',
  ])(
    '%s backfills that match with the other tickets’ players, FlexMatch’s match id as the backfill id',
    (ticketId) => {
      expect(read(backfill(ticketId))).toEqual({
        kind: 'match-backfilled',
        format: 'flexmatch',
        backfill: {
          type: 'MatchBackfilled',
          version: 1,
          matchId: '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e',
          backfillId: 'b2c3d4e5-0000-4000-8000-000000000001',
          players: [{ id: 'dave', team: 'blue', latencies: {} }],
        },
      });
    },
  );

  const RUNNING = '9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e';
  const OTHER = '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';

  it('with no new players is an invalid backfill of the running match, at detail.tickets', () => {
    const event = aFlexMatchEvent({
      tickets: [{ ticketId: `backfill.${RUNNING}`, players: [{ playerId: 'alice' }] }],
    });

    const message = read(event);

    expect(message).toMatchObject({ kind: 'invalid', of: 'MatchBackfilled', format: 'flexmatch' });
    // The backfill event's own FlexMatch match id is the backfill id.
    expect(message.kind === 'invalid' && message.backfillId).toBe(flexMatchIdOf(aFlexMatchEvent()));
    expect(invalid(message).matchId).toBe(RUNNING);
    expect(invalid(message).issues).toEqual([
      { path: 'detail.tickets', message: 'a backfill with no new players' },
    ]);
  });

  it('with two backfill tickets is an invalid backfill of the first one’s match, at the second', () => {
    const event = aFlexMatchEvent({
      tickets: [
        { ticketId: `backfill.${RUNNING}`, players: [{ playerId: 'alice' }] },
        { ticketId: `backfill.${OTHER}`, players: [{ playerId: 'bob' }] },
        { ticketId: 'ticket-new', players: [{ playerId: 'dave' }] },
      ],
    });

    const message = read(event);

    expect(message).toMatchObject({ kind: 'invalid', of: 'MatchBackfilled' });
    expect(invalid(message).matchId).toBe(RUNNING);
    expect(invalid(message).issues.map((i) => i.path)).toEqual(['detail.tickets[1].ticketId']);
  });

  it.each(['backfill.queue-eu-123', 'backfill.match-1', 'backfill'])(
    'an ordinary ticket named %s leaves the event a new match (only backfill.<a FlexMatch match id> backfills)',
    (ticketId) => {
      const event = aFlexMatchEvent({
        tickets: [
          { ticketId, players: [{ playerId: 'alice' }] },
          { ticketId: 'ticket-new', players: [{ playerId: 'dave' }] },
        ],
      });

      expect(read(event).kind).toBe('match');
    },
  );
});
