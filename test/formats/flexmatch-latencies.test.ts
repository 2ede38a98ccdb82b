/**
 * FlexMatch's latencies, looked up by ticket: one DescribeMatchmaking call per ten tickets,
 * tickets GameLift no longer returns placed by preference with a note, a failed lookup
 * transient except on the last delivery, where the match is placed by preference instead.
 */
import { describe, expect, it } from 'vitest';
import { MatchmakerCallError, TransientPlacementError } from '../../lambdas/core/errors.ts';
import {
  MAX_TICKETS_PER_LOOKUP,
  withTicketLatencies,
} from '../../lambdas/core/formats/flexmatch-latencies.ts';
import { MatchFoundV1 } from '../../lambdas/core/match-event.ts';
import type { TicketPlayers } from '../../lambdas/core/session-record.ts';
import { FakeMatchmakingTickets } from '../fakes/matchmaking-tickets.ts';

function aMatch(tickets: readonly TicketPlayers[]): MatchFoundV1 {
  return MatchFoundV1.parse({
    version: 1,
    matchId: 'fm-1',
    profile: 'arena',
    players: tickets.flatMap((t) => t.playerIds.map((id) => ({ id }))),
  });
}

const ticketsOf = (count: number): TicketPlayers[] =>
  Array.from({ length: count }, (_, i) => ({ ticketId: `t-${i}`, playerIds: [`p-${i}`] }));

describe('withTicketLatencies', () => {
  it('fills each player’s latencies from their ticket in one call for up to ten tickets', async () => {
    const tickets: TicketPlayers[] = [
      { ticketId: 't-a', playerIds: ['alice', 'carol'] },
      { ticketId: 't-b', playerIds: ['bob'] },
    ];
    const port = new FakeMatchmakingTickets()
      .ticket('t-a', { alice: { 'eu-west-1': 30, 'us-east-1': 90 }, carol: { 'eu-west-1': 35 } })
      .ticket('t-b', { bob: { 'eu-west-1': 45 } });

    const looked = await withTicketLatencies(aMatch(tickets), tickets, port);

    expect(port.calls).toEqual([['t-a', 't-b']]);
    expect(looked.calls).toBe(1);
    expect(looked.notes).toEqual([]);
    expect(looked.match.players).toEqual([
      { id: 'alice', latencies: { 'eu-west-1': 30, 'us-east-1': 90 } },
      { id: 'carol', latencies: { 'eu-west-1': 35 } },
      { id: 'bob', latencies: { 'eu-west-1': 45 } },
    ]);
  });

  it.each([
    [10, 1],
    [11, 2],
    [20, 2],
    [21, 3],
  ])('makes as few calls as the ten-ticket limit allows: %i tickets, %i calls', async (count, calls) => {
    const port = new FakeMatchmakingTickets();

    await withTicketLatencies(aMatch(ticketsOf(count)), ticketsOf(count), port);

    expect(port.calls).toHaveLength(calls);
    expect(Math.max(...port.calls.map((c) => c.length))).toBeLessThanOrEqual(MAX_TICKETS_PER_LOOKUP);
    expect(port.calls.flat()).toEqual(ticketsOf(count).map((t) => t.ticketId));
  });

  it('places the players of a ticket GameLift no longer returns by preference, and says so', async () => {
    const tickets: TicketPlayers[] = [
      { ticketId: 't-a', playerIds: ['alice'] },
      { ticketId: 't-gone', playerIds: ['bob', 'carol'] },
    ];
    const port = new FakeMatchmakingTickets().ticket('t-a', { alice: { 'eu-west-1': 30 } });

    const looked = await withTicketLatencies(aMatch(tickets), tickets, port);

    expect(looked.match.players.map((p) => p.latencies)).toEqual([{ 'eu-west-1': 30 }, {}, {}]);
    expect(looked.notes).toEqual([
      'DescribeMatchmaking no longer returns ticket t-gone (bob, carol): their players were placed by preference',
    ]);
  });

  it('notes a player missing from their ticket and measurements MatchFound would refuse', async () => {
    const tickets: TicketPlayers[] = [{ ticketId: 't-a', playerIds: ['alice', 'bob'] }];
    const port = new FakeMatchmakingTickets().ticket('t-a', {
      alice: { 'eu-west-1': 30, 'bad region!': 5, 'us-east-1': 99_999 },
    });

    const looked = await withTicketLatencies(aMatch(tickets), tickets, port);

    expect(looked.match.players).toEqual([
      { id: 'alice', latencies: { 'eu-west-1': 30 } },
      { id: 'bob', latencies: {} },
    ]);
    expect(looked.notes).toEqual([
      'players missing from their ticket, placed by preference: bob (ticket t-a)',
      'latencies left out: alice bad region!=5, alice us-east-1=99999',
    ]);
  });

  it('fails the delivery for now when the lookup fails, saying why', async () => {
    const tickets = ticketsOf(2);
    const port = new FakeMatchmakingTickets().failNext('throttled');

    const lookup = withTicketLatencies(aMatch(tickets), tickets, port);

    await expect(lookup).rejects.toBeInstanceOf(TransientPlacementError);
    await expect(lookup).rejects.toMatchObject({ reason: 'matchmaker-unavailable', matchId: 'fm-1' });
  });

  it('places by preference on the last delivery when the lookup still fails, with the failure in a note', async () => {
    const tickets = ticketsOf(2);
    const port = new FakeMatchmakingTickets().failNext('unavailable');

    const looked = await withTicketLatencies(aMatch(tickets), tickets, port, { finalDelivery: true });

    expect(looked.match.players.map((p) => p.latencies)).toEqual([{}, {}]);
    expect(looked.notes).toHaveLength(1);
    expect(looked.notes[0]).toContain(
      'could not be read (unavailable; the lookup still failed on the last delivery)',
    );
    expect(looked.failure?.kind).toBe('unavailable');
  });

  it.each(['denied', 'rejected'] as const)(
    'places by preference at once when the lookup is %s, naming the code and request id but never the message',
    async (kind) => {
      const tickets = ticketsOf(2);
      const port = new FakeMatchmakingTickets().failNextWith(
        new MatchmakerCallError({
          kind,
          code: 'AccessDeniedException',
          requestId: 'req-42',
          message:
            'User: arn:aws:sts::123456789012:assumed-role/placement/fn is not authorized to perform: gamelift:DescribeMatchmaking',
        }),
      );

      const looked = await withTicketLatencies(aMatch(tickets), tickets, port);

      expect(looked.match.players.map((p) => p.latencies)).toEqual([{}, {}]);
      expect(looked.notes[0]).toContain(`could not be read (${kind}, AccessDeniedException, request req-42;`);
      expect(looked.notes.join(' ')).not.toContain('123456789012');
      expect(looked.failure?.message).toContain('123456789012');
    },
  );
});
