/**
 * What `send-match` and `end-match` check before they send, and how `send-match --wait` learns
 * the bridge's answer, against a local stack whose placement function runs only when a test
 * hands it a message: the matches queue holds exactly what the CLI sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue } from '../../lambdas/adapters/sqs-dead-letter.ts';
import {
  type CliStack,
  deliverNextMatchMessage,
  matchFound,
  queueDepth,
  startCliStack,
  steppingClock,
  takeNextMatchMessage,
} from './support.ts';

let stack: CliStack;

beforeAll(async () => {
  stack = await startCliStack({ startEventSource: false });
});

afterAll(async () => {
  await stack?.close();
});

/** Every test starts with an empty matches queue. */
afterEach(async () => {
  while ((await matchesQueueDepth()) > 0) await takeNextMatchMessage(stack);
});

function matchesQueueDepth(): Promise<number> {
  return queueDepth(stack.bridge.aws.clients.sqs, stack.bridge.resources.matchesQueueUrl);
}

/** `send-match` flags for one player in dublin. */
function flags(matchId: string, profile: string, ...extra: string[]): string[] {
  return ['send-match', '--match-id', matchId, '--profile', profile, '--player', 'p1:dublin=20', ...extra];
}

describe('send-match refuses what placement would refuse before its claim', () => {
  it('refuses overrides the profile does not allow, naming each field, and sends nothing', async () => {
    // arena-casual allows env MAP_NAME, label party-id and ttl; not env GAME_MODE nor args.
    const r = await stack.run(
      flags('bs-override', 'arena-casual', '--env', 'GAME_MODE=ranked', '--arg', '--cheats', '--ttl', '2h'),
    );
    expect(r.code).toBe(2);
    const [message, allowed] = r.stderr.split('\n');
    expect(message).toContain('(override-not-allowed)');
    expect(message).toMatch(/does not allow overriding env\.GAME_MODE, args$/);
    expect(allowed).toContain('allows overriding: env.MAP_NAME, labels.party-id, ttl');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('refuses a profile the bridge config does not have, with exit 2 and an error document', async () => {
    const r = await stack.run(['send-match', '-', '--json'], {
      stdin: JSON.stringify(matchFound('bs-noprofile', { profile: 'no-such' })),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown-profile');
    expect(r.stderr).toContain('no profile named "no-such"');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'INVALID_EVENT', exitCode: 2 } });
    expect(await matchesQueueDepth()).toBe(0);
  });

  it.each(['toString', '__proto__', 'constructor'])(
    'takes %s for a profile name, not for a property every object has',
    async (profile) => {
      const r = await stack.run(flags(`bs-${profile.replaceAll('_', 'u')}`, profile));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown-profile');
      expect(await matchesQueueDepth()).toBe(0);
    },
  );

  it('sends what the checks refuse when given --force', async () => {
    const r = await stack.run(flags('bs-forced', 'arena-ranked', '--ttl', '3h', '--force', '--json'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: true, matchId: 'bs-forced' });
    expect(JSON.parse((await takeNextMatchMessage(stack)).Body ?? '')).toMatchObject({ ttl: '3h' });
  });

  it('refuses an invalid event with exit 2, naming the bad field, and sends nothing', async () => {
    const r = await stack.run(['send-match', '-'], {
      stdin: JSON.stringify(matchFound('bs-bad', { players: [{ id: 'p1', latencies: { dublin: -5 } }] })),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('players[0].latencies.dublin');
    expect(r.stderr).toContain('at least 0 ms');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('refuses a bad --wait before sending anything', async () => {
    const r = await stack.run(flags('bs-badwait', 'arena-casual', '--wait', 'soon'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('sends flag keys as typed, __proto__ included, for the bridge schema to judge', async () => {
    const r = await stack.run([
      'send-match',
      '--match-id',
      'bs-proto',
      '--profile',
      'arena-casual',
      '--player',
      'p1:__proto__=5,dublin=20',
      '--label',
      '__proto__=x',
      '--force',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse((await takeNextMatchMessage(stack)).Body ?? '') as {
      labels: object;
      players: { latencies: object }[];
    };
    expect(Object.hasOwn(body.labels, '__proto__')).toBe(true);
    expect(Object.hasOwn(body.players[0]?.latencies ?? {}, '__proto__')).toBe(true);
  });
});

describe('send-match --wait', () => {
  it('reports a refusal parked in the DLQ with its reason as soon as it is there, and leaves it there', async () => {
    const running = stack.run(
      flags('bs-parked', 'arena-ranked', '--ttl', '3h', '--force', '--wait', '30', '--json'),
    );
    await deliverNextMatchMessage(stack);
    const r = await running;
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { record: unknown; deadLetter: { reason: string; message: string } };
    expect(doc.record).toBeNull();
    expect(doc.deadLetter.reason).toBe('override-not-allowed');
    expect(doc.deadLetter.message).toContain('ttl');
    // Peeked, not taken: `bridge dlq` still sees the message at once.
    const dlq = JSON.parse((await stack.run(['dlq', '--json'])).stdout) as {
      messages: { matchId?: string }[];
    };
    expect(dlq.messages.map((m) => m.matchId)).toContain('bs-parked');
  });

  it('prints the reason for people too', async () => {
    const running = stack.run(flags('bs-parked-2', 'arena-ranked', '--env', 'X=1', '--force', '--wait'));
    await deliverNextMatchMessage(stack);
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/reason\s*│\s*override-not-allowed/);
    expect(r.stderr).toContain('refused bs-parked-2 before placing it');
  });

  it('does not take an earlier DLQ copy of the same match for the answer to this send', async () => {
    await new SqsDeadLetterQueue({
      client: stack.bridge.aws.clients.sqs,
      queueUrl: stack.bridge.resources.deadLetterQueueUrl,
    }).park({
      body: JSON.stringify(matchFound('bs-again', { profile: 'gone-profile' })),
      sourceMessageId: 'an-earlier-message',
      reason: 'unknown-profile',
      message: 'no profile named "gone-profile"',
      matchId: 'bs-again',
    });
    const clock = steppingClock();
    // Nobody delivers this one: the wait runs out (on the test's clock, at once).
    const r = await stack.run(flags('bs-again', 'arena-casual', '--wait', '5'), { clock });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No session record for bs-again yet');
    expect(r.stdout + r.stderr).not.toContain('unknown-profile');
    expect(clock.slept()).toBe(5_000);
  });

  it('waits for READY and prints where the server runs', async () => {
    const running = stack.run(flags('bs-ready', 'arena-casual', '--wait', '30'));
    await deliverNextMatchMessage(stack);
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/state\s*│\s*READY/);
    expect(r.stdout).toMatch(/host\s*│\s*\S+/);
  });
});

describe('end-match', () => {
  beforeAll(async () => {
    const running = stack.run(flags('bs-live', 'arena-casual', '--wait', '30'));
    await deliverNextMatchMessage(stack);
    expect((await running).code).toBe(0);
  });

  it('without --yes says which session it would stop, exits 2 and sends nothing', async () => {
    const r = await stack.run(['end-match', 'bs-live']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add --yes');
    expect(r.stderr).toMatch(/stop and archive session [0-9a-f-]{36} \(READY in \S+ on \S+\)/);
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('without --yes warns what ending an unknown match does, and sends nothing', async () => {
    const r = await stack.run(['end-match', 'bs-nobody', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ended-before-placed');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'NOT_CONFIRMED', exitCode: 2 } });
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('with --yes sends MatchEnded', async () => {
    const r = await stack.run(['end-match', 'bs-live', '--yes', '--reason', 'surrender', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: true, matchId: 'bs-live' });
    expect(JSON.parse((await takeNextMatchMessage(stack)).Body ?? '')).toEqual({
      type: 'MatchEnded',
      version: 1,
      matchId: 'bs-live',
      reason: 'surrender',
    });
  });
});
