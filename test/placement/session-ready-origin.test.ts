/**
 * What a matchmaker's message adds to SessionReady (FlexMatch's tickets, the translation's
 * notes) lives on the record, so the event is built from the record alone and a republished
 * SessionReady is identical to the first.
 */
import { describe, expect, it } from 'vitest';
import { sessionReadyOf } from '../../lambdas/core/events.ts';
import { rankingOf } from '../../lambdas/core/ranking.ts';
import {
  newPlacingRecord,
  type SessionRecord,
  toPublished,
  toReady,
  withAttempt,
} from '../../lambdas/core/session-record.ts';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const emptyRanking = rankingOf(
  { ranked: [], dropped: [], policy: 'preference', failure: 'no-eligible-region' },
  undefined,
);

function aReadyFlexMatchRecord(notes?: string[]): SessionRecord {
  const placing = newPlacingRecord({
    matchId: 'fm-1',
    sessionId: '00000000-0000-4000-8000-000000000001',
    profile: 'arena',
    image: 'arena-server',
    players: [{ id: 'alice', team: 'red' }, { id: 'bob' }],
    tickets: [{ ticketId: 't-1', playerIds: ['alice', 'bob'] }],
    activeShards: 8,
    now: NOW,
  });
  return toReady(
    withAttempt(placing, 'eu-west', NOW),
    { region: 'eu-west', host: 'h', ports: [], ranking: emptyRanking, via: 'started', notes },
    NOW,
  );
}

describe('SessionReady of a FlexMatch match', () => {
  it('carries the tickets recorded at the claim and the notes recorded at READY', () => {
    const ready = aReadyFlexMatchRecord(['ticket t-2 no longer returned']);

    expect(sessionReadyOf(ready)).toMatchObject({
      tickets: [{ ticketId: 't-1', playerIds: ['alice', 'bob'] }],
      notes: ['ticket t-2 no longer returned'],
    });
  });

  it('is identical when built again later from the stored record (a republish)', () => {
    const ready = aReadyFlexMatchRecord(['a note']);
    const first = sessionReadyOf(ready);

    const later = sessionReadyOf(toPublished(structuredClone(ready), NOW + 60_000));

    expect(later).toEqual(first);
  });

  it('has no tickets or notes fields for a match that had none', () => {
    const ready = aReadyFlexMatchRecord();
    const { tickets: _t, ...withoutTickets } = ready;

    const event = sessionReadyOf(withoutTickets);

    expect(Object.keys(event)).not.toContain('tickets');
    expect(Object.keys(event)).not.toContain('notes');
  });
});
