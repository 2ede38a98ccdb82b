/**
 * `send-match --format`: a matchmaker's native message is translated as the bridge's edge will
 * translate it (with the bridge config's sources), refused with exit 2 and the field at fault
 * when the bridge would refuse it, and otherwise sent byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aFlexMatchEvent, aNakamaMatched, anOpenMatch2Match } from '../fixtures/native.ts';
import {
  type CliStack,
  deliverNextMatchMessage,
  LOCAL_CONFIG,
  queueDepth,
  startCliStack,
  takeNextMatchMessage,
} from './support.ts';

let stack: CliStack;
let dir: string;
let configPath: string;

/** The local config, accepting every format; `arena-casual` is the default and FlexMatch's profile. */
function configWithSources(): Record<string, unknown> {
  const local = JSON.parse(readFileSync(LOCAL_CONFIG, 'utf8')) as Record<string, unknown>;
  return {
    ...local,
    sources: {
      matchFound: {},
      flexMatch: { configurations: { 'arena-config': { profile: 'arena-casual' } } },
      openMatch2: { latencyPrefix: 'latency-ms.', profileKey: 'profile', defaultProfile: 'arena-casual' },
      nakama: { latencyPrefix: 'latency_', teamProperty: 'team', defaultProfile: 'arena-casual' },
    },
  };
}

/** The local config taking MatchFound v1 only (no `sources`), for a deployment that refuses the others. */
let matchFoundOnlyPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'send-match-formats-'));
  configPath = join(dir, 'bridge.config.json');
  writeFileSync(configPath, JSON.stringify(configWithSources()));
  const { sources: _all, ...matchFoundOnly } = JSON.parse(readFileSync(LOCAL_CONFIG, 'utf8')) as Record<
    string,
    unknown
  >;
  matchFoundOnlyPath = join(dir, 'match-found-only.config.json');
  writeFileSync(matchFoundOnlyPath, JSON.stringify(matchFoundOnly));
  stack = await startCliStack({ startEventSource: false, bridgeConfig: configWithSources() });
});

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  while ((await matchesQueueDepth()) > 0) await takeNextMatchMessage(stack);
});

function matchesQueueDepth(): Promise<number> {
  return queueDepth(stack.bridge.aws.clients.sqs, stack.bridge.resources.matchesQueueUrl);
}

/** Write a message to a file of the test's own folder; its path. */
function file(name: string, message: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof message === 'string' ? message : JSON.stringify(message, null, 2));
  return path;
}

const send = (format: string, path: string, ...extra: string[]) =>
  stack.run(['send-match', '--format', format, '--file', path, '--config', configPath, ...extra]);

/** Open Match 2 latencies named the way the local config's aliases name regions. */
const localOpenMatch = (id: string) =>
  anOpenMatch2Match({
    id,
    rosters: {
      red: {
        tickets: [
          {
            id: `${id}-t1`,
            attributes: { doubleArgs: { 'latency-ms.dublin': 20, 'latency-ms.frankfurt': 40 } },
          },
        ],
      },
      blue: {
        tickets: [
          {
            id: `${id}-t2`,
            attributes: { doubleArgs: { 'latency-ms.dublin': 30, 'latency-ms.frankfurt': 25 } },
          },
        ],
      },
    },
  });

describe('send-match --format', () => {
  it('sends an Open Match 2 Match as it is, and the bridge places it', async () => {
    const path = file('om.json', localOpenMatch('cli-om-1'));

    const r = await send('openmatch2', path, '--json');

    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      sent: true,
      format: 'openmatch2',
      matchId: 'cli-om-1',
      notes: [],
    });
    const sent = await deliverNextMatchMessage(stack);
    expect(sent.Body).toBe(readFileSync(path, 'utf8'));
    const record = await stack.run(['session', 'cli-om-1', '--json', '--config', configPath]);
    expect(JSON.parse(record.stdout)).toMatchObject({ record: { state: 'READY' } });
  });

  it('sends a FlexMatch event, saying its latencies are looked up at placement', async () => {
    const path = file('fm.json', aFlexMatchEvent());

    const r = await send('flexmatch', path);

    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Sent FlexMatch match 9d3c6f0e-7a41-4b2c-8e5d-0f1a2b3c4d5e');
    expect(r.stdout).toContain(
      'Note: latencies are looked up at placement (DescribeMatchmaking on ticket ticket-a, ticket-b)',
    );
    expect((await takeNextMatchMessage(stack)).Body).toBe(readFileSync(path, 'utf8'));
  });

  it('refuses an invalid Nakama message with exit 2, naming the field, and sends nothing', async () => {
    const bad = aNakamaMatched({
      entries: [{ presence: { userId: 'u-1' }, properties: { 'latency_eu-west-1': -3 } }],
    });

    const r = await send('nakama', file('nk.json', bad));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid Nakama message: entries[0].properties.latency_eu-west-1');
    expect(r.stderr).toContain('expected a latency of at least 0 ms');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('refuses a message whose shape says another format than --format', async () => {
    const r = await send('nakama', file('om-as-nk.json', localOpenMatch('cli-om-2')));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the bridge reads this message as Open Match 2, not Nakama');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('refuses a format the deployment does not accept', async () => {
    const r = await stack.run([
      'send-match',
      '--format',
      'nakama',
      '--file',
      file('nk2.json', aNakamaMatched()),
      '--config',
      matchFoundOnlyPath,
    ]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not accept Nakama messages: its bridge config names no sources.nakama');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('refuses a FlexMatch configuration the deployment does not place, naming resources', async () => {
    const event = aFlexMatchEvent({}, [
      'arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/other-config',
    ]);

    const r = await send('flexmatch', file('fm-other.json', event));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('resources: FlexMatch matchmaking configuration other-config');
  });

  it('runs the checks placement makes before its claim: an unknown profile is refused', async () => {
    const match = {
      ...localOpenMatch('cli-om-3'),
      extensions: {
        profile: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'no-such' },
      },
    };

    const r = await send('openmatch2', file('om-profile.json', match));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown-profile');
    expect(await matchesQueueDepth()).toBe(0);
  });

  it('takes a native message from a file or stdin only, not from flags', async () => {
    const r = await stack.run([
      'send-match',
      '--format',
      'nakama',
      '--match-id',
      'x',
      '--profile',
      'arena-casual',
    ]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give it as a file (--file) or on stdin (-), not as flags');
  });

  it('refuses an unknown --format', async () => {
    const r = await stack.run(['send-match', '--format', 'steam', '--file', file('x.json', {})]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--format: expected one of match-found, flexmatch, openmatch2, nakama, got 'steam'",
    );
  });
});
