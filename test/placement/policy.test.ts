/**
 * Placement's decisions as tables: each row is a moment of a delivery and what the policy
 * must decide then. The flow tests (placement-flow, failures, crash-recovery) prove the
 * effects carry these out.
 */
import { describe, expect, it } from 'vitest';
import { GameyeCallError, type GameyeFailure, PermanentPlacementError } from '../../lambdas/core/errors.ts';
import * as policy from '../../lambdas/core/placement/policy.ts';
import type { RegionChoice } from '../../lambdas/core/placement/region-choice.ts';
import type { DescribedSession } from '../../lambdas/core/ports.ts';
import type { Ranking } from '../../lambdas/core/ranking.ts';
import {
  newEndedBeforePlacedRecord,
  newPlacingRecord,
  toFailed,
  toReady,
  withAttempt,
} from '../../lambdas/core/session-record.ts';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const SESSION = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const placing = newPlacingRecord({
  matchId: 'm',
  sessionId: SESSION,
  profile: 'arena',
  image: 'arena-server',
  players: [],
  activeShards: 8,
  now: NOW,
});
const ranking: Ranking = {
  policy: 'latency',
  candidates: [],
  candidateCount: 0,
  chosenRank: 0,
  dropped: [],
  droppedCounts: {},
};
const ready = toReady(placing, { region: 'eu-west', host: 'h', ports: [], ranking, via: 'started' }, NOW);
const failedWith = (reason: 'retries-exhausted' | 'no-capacity' | 'unauthorized' | 'quota-exhausted') =>
  toFailed(placing, { reason, message: reason }, undefined, NOW, 30);
const planError = new PermanentPlacementError('unknown-profile', 'no profile named "x"');
const gameye = (kind: GameyeFailure) =>
  new GameyeCallError({ kind, message: kind, identifier: `gid-${kind}` });

describe('on arrival, the record decides', () => {
  const rows: [string, policy.Arrival, policy.ArrivalDecision['do']][] = [
    [
      'nothing known, plan fine: claim and place',
      { record: undefined, looked: false, planError: undefined },
      'place',
    ],
    [
      'nothing known, plan refused: look before refusing',
      { record: undefined, looked: false, planError },
      'look',
    ],
    [
      'no record, plan refused: refuse without a record',
      { record: undefined, looked: true, planError },
      'reject',
    ],
    ['PLACING: resume', { record: placing, looked: true, planError: undefined }, 'place'],
    ['PLACING, plan now refused: fail the record', { record: placing, looked: true, planError }, 'fail-plan'],
    ['READY: answer from it', { record: ready, looked: true, planError: undefined }, 'answer'],
    ['READY, plan now refused: still answer from it', { record: ready, looked: true, planError }, 'answer'],
    [
      'FAILED retries-exhausted: place afresh',
      { record: failedWith('retries-exhausted'), looked: true, planError: undefined },
      'retry',
    ],
    [
      'FAILED no-capacity: place afresh',
      { record: failedWith('no-capacity'), looked: true, planError: undefined },
      'retry',
    ],
    [
      'FAILED unauthorized: place afresh',
      { record: failedWith('unauthorized'), looked: true, planError: undefined },
      'retry',
    ],
    [
      'FAILED quota-exhausted: answer from it',
      { record: failedWith('quota-exhausted'), looked: true, planError: undefined },
      'answer',
    ],
    [
      'ended before placed: answer from it',
      {
        record: newEndedBeforePlacedRecord({ matchId: 'm', sessionId: SESSION, now: NOW, retentionDays: 1 }),
        looked: true,
        planError: undefined,
      },
      'answer',
    ],
    [
      'nothing known and a costly preparation (FlexMatch ticket lookup): look before claiming',
      { record: undefined, looked: false, planError: undefined, costlyToPrepare: true },
      'look',
    ],
    [
      'nothing stored, looked, a costly preparation: prepare and claim',
      { record: undefined, looked: true, planError: undefined, costlyToPrepare: true },
      'place',
    ],
  ];
  it.each(rows)('%s', (_name, arrival, expected) => {
    expect(policy.onArrival(arrival).do).toBe(expected);
  });

  it('publishes again only a settled outcome never recorded as published', () => {
    expect(policy.needsRepublish(ready)).toBe(true);
    expect(policy.needsRepublish({ ...ready, publishedAt: new Date(NOW).toISOString() })).toBe(false);
    expect(policy.needsRepublish(placing)).toBe(false);
  });
});

describe('on regions, the choice decides', () => {
  const choice = (patch: Partial<RegionChoice>): RegionChoice => ({
    ranked: [],
    dropped: [],
    policy: 'latency',
    ...patch,
  });
  const candidate = (region: string) => ({
    region,
    worstMs: 10,
    meanMs: 10,
    preferenceIndex: null,
    overCap: false,
  });
  const pendingIn = (region: string) => withAttempt(placing, region, NOW).attempts.at(-1);

  it('tries the ranked regions best first', () => {
    expect(policy.onRegions(choice({ ranked: [candidate('a'), candidate('b')] }), undefined)).toEqual({
      do: 'try',
      order: ['a', 'b'],
    });
  });

  it('tries the region of a start an earlier delivery left pending first, even one no longer ranked', () => {
    const ranked = choice({ ranked: [candidate('a'), candidate('b')] });
    expect(policy.onRegions(ranked, pendingIn('b'))).toEqual({ do: 'try', order: ['b', 'a'] });
    expect(policy.onRegions(ranked, pendingIn('z'))).toEqual({ do: 'try', order: ['z', 'a', 'b'] });
  });

  it.each([
    ['every region full or cooling down', [{ region: 'a', reason: 'cooling-down' as const }]],
    ['no region offered by Gameye now', [{ region: 'a', reason: 'not-available' as const }]],
  ])('waits when %s: capacity comes back', (_name, dropped) => {
    expect(policy.onRegions(choice({ dropped, failure: 'no-capacity-now' }), undefined)).toMatchObject({
      do: 'wait',
      reason: 'no-capacity',
    });
  });

  it.each([
    ['no alias for any region', 'no-eligible-region', [{ region: 'x', reason: 'no-alias' as const }]],
    [
      'the pinned tag missing everywhere',
      'no-eligible-region',
      [{ region: 'a', reason: 'tag-missing' as const }],
    ],
    [
      'every region over the cap, and the policy fails',
      'none-within-cap',
      [{ region: 'a', reason: 'over-cap' as const }],
    ],
  ] as const)('fails for good when %s', (_name, failure, dropped) => {
    expect(policy.onRegions(choice({ dropped: [...dropped], failure }), undefined)).toMatchObject({
      do: 'fail',
      reason: failure,
    });
  });

  it.each([
    ['unavailable', { do: 'wait', reason: 'gameye-unavailable' }],
    ['region-full', { do: 'wait', reason: 'gameye-unavailable' }],
    ['unauthorized', { do: 'wait', reason: 'unauthorized' }],
    ['unknown-image-or-location', { do: 'fail', reason: 'unknown-image-or-location' }],
    ['quota-exhausted', { do: 'fail', reason: 'quota-exhausted' }],
    ['rejected', { do: 'fail', reason: 'rejected-by-gameye' }],
  ] as const)('answers availability that failed with %s', (kind, expected) => {
    expect(policy.onRegionsUnknown(gameye(kind))).toMatchObject(expected);
  });
});

describe('on a start, Gameye’s answer decides', () => {
  it.each([
    [undefined, { do: 'ready' }],
    ['session-exists', { do: 'adopt' }],
    ['region-full', { do: 'next-region' }],
    ['unavailable', { do: 'wait', reason: 'gameye-unavailable' }],
    ['unauthorized', { do: 'wait', reason: 'unauthorized' }],
    ['quota-exhausted', { do: 'fail', reason: 'quota-exhausted' }],
    ['unknown-image-or-location', { do: 'fail', reason: 'unknown-image-or-location' }],
    ['rejected', { do: 'fail', reason: 'rejected-by-gameye' }],
  ] as const)('%s → %o', (kind, expected) => {
    expect(policy.onStart(kind === undefined ? undefined : gameye(kind))).toMatchObject(expected);
  });
});

describe('after "it exists already", the described session decides', () => {
  const described = (liveness: DescribedSession['liveness']): DescribedSession => ({
    id: SESSION,
    location: 'eu-west',
    host: 'h',
    ports: [],
    liveness,
    status: liveness,
  });

  it.each([
    ['starting', 'ready'],
    ['serving', 'ready'],
    ['unreachable', 'ready'],
    ['stopping', 'ready'],
    ['ended', 'fail'],
  ] as const)('a session that is %s: %s', (liveness, expected) => {
    expect(policy.onDescribed(described(liveness), SESSION).do).toBe(expected);
    expect(policy.adoptsInsteadOfFailing(described(liveness))).toBe(expected === 'ready');
  });

  it('waits when Gameye does not describe the session it said exists', () => {
    expect(policy.onDescribed(undefined, SESSION)).toMatchObject({
      do: 'wait',
      reason: 'gameye-unavailable',
    });
    expect(policy.adoptsInsteadOfFailing(undefined)).toBe(false);
  });
});

describe('the deadline and the last delivery', () => {
  it('tries another region only with the reserve left', () => {
    expect(policy.hasTimeFor(1_000, 4_000, 3_000)).toBe(true);
    expect(policy.hasTimeFor(1_001, 4_000, 3_000)).toBe(false);
  });

  it.each([
    ['unauthorized', 'unauthorized'],
    ['no-capacity', 'no-capacity'],
    ['gameye-unavailable', 'retries-exhausted'],
    ['deadline', 'retries-exhausted'],
    ['dependency-error', 'retries-exhausted'],
  ] as const)(
    'records a %s that outlived every delivery as %s, a failure a redrive retries',
    (reason, failure) => {
      expect(policy.onGiveUp(reason)).toBe(failure);
    },
  );
});
