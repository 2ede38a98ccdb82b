/**
 * Every `bridge` command against a real local stack (dynalite, fauxqs, the Gameye emulator and
 * the placement handler polling the matches queue), run in-process through `main`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, matchFound, OutputWatch, runCli, startCliStack } from './support.ts';

let stack: CliStack;

beforeAll(async () => {
  stack = await startCliStack();
  // Two matches placed before the tests look at them.
  for (const id of ['cli-a', 'cli-b']) {
    const sent = await stack.run(['send-match', '-', '--wait', '20'], {
      stdin: JSON.stringify(matchFound(id)),
    });
    expect(sent.code, sent.stderr).toBe(0);
  }
});

afterAll(async () => {
  await stack?.close();
});

describe('bridge --help', () => {
  it('lists every command and the exit codes, and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of [
      'send-match',
      'end-match',
      'sessions',
      'session',
      'logs',
      'stop',
      'locations',
      'check-version',
      'dlq',
    ]) {
      expect(r.stdout).toContain(cmd);
    }
    expect(r.stdout).toContain('npm start -- --serve');
    expect(r.stdout).toMatch(/3 {2}the stack cannot be reached/);
  });

  it('explains in the sessions help that ENDED and FAILED need a scan', async () => {
    const r = await runCli(['sessions', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scans the table/);
  });

  it('answers an unknown command or option with exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['sessions', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--colour'");
  });
});

describe('bridge send-match', () => {
  it('sends a match built from flags and waits for it to be READY', async () => {
    const r = await stack.run([
      'send-match',
      '--match-id',
      'cli-flags',
      '--profile',
      'arena-casual',
      '--player',
      'p1:dublin=25,frankfurt=40',
      '--player',
      'p2:frankfurt=30',
      '--wait',
      '20',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      sent: boolean;
      matchId: string;
      record: { state: string; region: string };
    };
    expect(doc).toMatchObject({ sent: true, matchId: 'cli-flags', record: { state: 'READY' } });
  });

  it('sends a match from a file', async () => {
    const file = join(stack.dir, 'match.json');
    writeFileSync(file, JSON.stringify(matchFound('cli-file')));
    const r = await stack.run(['send-match', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Sent MatchFound cli-file');
  });

  it('names a bad flag value through the schema path', async () => {
    const r = await stack.run([
      'send-match',
      '--match-id',
      'cli-bad2',
      '--profile',
      'arena-casual',
      '--player',
      'p1:dublin=fast',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('players[0].latencies.dublin');
  });

  it('sends a profile the bridge config lacks with --force, and --wait reports why it was parked', async () => {
    const event = JSON.stringify(matchFound('cli-noprofile', { profile: 'no-such' }));
    const refused = await stack.run(['send-match', '-'], { stdin: event });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unknown-profile');
    const forced = await stack.run(['send-match', '-', '--force', '--wait', '20', '--json'], {
      stdin: event,
    });
    expect(forced.code).toBe(1);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      sent: true,
      record: null,
      deadLetter: { reason: 'unknown-profile', message: expect.stringContaining('no-such') },
    });
  });

  it('refuses input that is not JSON, or no input at all', async () => {
    expect((await stack.run(['send-match', '-'], { stdin: '{nope' })).code).toBe(2);
    const none = await stack.run(['send-match']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no event given');
  });
});

describe('bridge end-match', () => {
  it('sends a MatchEnded message with --yes', async () => {
    const r = await stack.run(['end-match', 'cli-file', '--yes', '--reason', 'surrender', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: true, matchId: 'cli-file' });
  });

  it('refuses a match id the schema rejects with exit 2', async () => {
    const r = await stack.run(['end-match', 'bad id!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('matchId');
  });
});

describe('bridge sessions', () => {
  it('lists the active sessions as a table', async () => {
    const r = await stack.run(['sessions']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MATCH.*STATE.*REGION/);
    expect(r.stdout).toContain('cli-a');
    expect(r.stdout).toContain('READY');
  });

  it('prints one JSON document with --json', async () => {
    const r = await stack.run(['sessions', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { source: string; sessions: { matchId: string; state: string }[] };
    expect(doc.source).toBe('index');
    expect(doc.sessions.map((s) => s.matchId)).toEqual(expect.arrayContaining(['cli-a', 'cli-b']));
  });

  it('filters by region (an alias or a location), image and age', async () => {
    const all = JSON.parse((await stack.run(['sessions', '--json'])).stdout) as {
      sessions: { region: string }[];
    };
    const region = all.sessions[0]?.region ?? 'eu-west-1';
    const byLocation = JSON.parse((await stack.run(['sessions', '--region', region, '--json'])).stdout) as {
      sessions: { region: string }[];
    };
    expect(byLocation.sessions.length).toBeGreaterThan(0);
    expect(byLocation.sessions.every((s) => s.region === region)).toBe(true);
    const alias = region === 'eu-west-1' ? 'dublin' : region === 'eu-central' ? 'frankfurt' : region;
    const byAlias = JSON.parse((await stack.run(['sessions', '--region', alias, '--json'])).stdout) as {
      count: number;
    };
    expect(byAlias.count).toBe(byLocation.sessions.length);
    const other = JSON.parse((await stack.run(['sessions', '--image', 'brawl-server', '--json'])).stdout) as {
      count: number;
    };
    expect(other.count).toBe(0);
    const old = JSON.parse((await stack.run(['sessions', '--older-than', '1h', '--json'])).stdout) as {
      count: number;
    };
    expect(old.count).toBe(0);
  });

  it('scans for FAILED records when asked', async () => {
    const r = await stack.run(['sessions', '--status', 'failed', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'scan' });
  });

  it('refuses a bad status or duration with exit 2', async () => {
    const status = await stack.run(['sessions', '--status', 'RUNNING']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status');
    const age = await stack.run(['sessions', '--older-than', 'ten minutes']);
    expect(age.code).toBe(2);
    expect(age.stderr).toContain('--older-than');
  });
});

describe('bridge session', () => {
  it("shows the record and Gameye's live state", async () => {
    const r = await stack.run(['session', 'cli-a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cli-a');
    expect(r.stdout).toContain('Gameye now:');
    expect(r.stdout).toMatch(/status\s*│\s*running/);
  });

  it('prints record and live state as one JSON document', async () => {
    const r = await stack.run(['session', 'cli-a', '--json']);
    const doc = JSON.parse(r.stdout) as {
      record: { state: string; sessionId: string };
      gameye: { id: string; status: string };
    };
    expect(doc.record.state).toBe('READY');
    expect(doc.gameye.id).toBe(doc.record.sessionId);
  });

  it('exits 1 for a match it does not know', async () => {
    const r = await stack.run(['session', 'cli-nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no session record for match cli-nobody');
  });
});

describe('bridge logs', () => {
  it("prints the session's output so far and ends", async () => {
    const sessionId = await sessionIdOf('cli-a');
    const r = await stack.run(['logs', 'cli-a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`starting, session ${sessionId}`);
    expect(r.stdout).toContain('server ready, waiting for players');
  });

  it('follows: prints lines the server writes after it started, until aborted (Ctrl-C), then exits 0', async () => {
    const sessionId = await sessionIdOf('cli-a');
    const abort = new AbortController();
    const watch = new OutputWatch();
    const running = stack.run(['logs', 'cli-a', '--follow'], {
      signal: abort.signal,
      onStdout: watch.onStdout,
    });
    await watch.until((out) => out.includes('server ready'), running);
    // A player joins after the stream is open: only a follower prints that line.
    stack.bridge.emulator.admin.setPlayers(sessionId, ['cli-follow-joiner']);
    await watch.until((out) => out.includes('player cli-follow-joiner joined'), running);
    abort.abort();
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
  });
  it('exits 1 for an unknown match', async () => {
    expect((await stack.run(['logs', 'cli-nobody'])).code).toBe(1);
  });
});

async function sessionIdOf(matchId: string): Promise<string> {
  const r = await stack.run(['session', matchId, '--json']);
  return (JSON.parse(r.stdout) as { record: { sessionId: string } }).record.sessionId;
}

describe('bridge locations', () => {
  it('shows the locations Gameye can host now with the configured aliases', async () => {
    const r = await stack.run(['locations', 'arena-server']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/eu-west-1\s*│\s*yes\s*│\s*dublin/);
    expect(r.stdout).toMatch(/eu-central\s*│\s*yes\s*│\s*frankfurt/);
  });

  it('marks configured locations that cannot host the image', async () => {
    const r = await stack.run(['locations', 'brawl-server', '--json']);
    const doc = JSON.parse(r.stdout) as {
      locations: { location: string; available: boolean; aliases: string[] }[];
    };
    expect(doc.locations).toContainEqual(
      expect.objectContaining({ location: 'na-east', available: true, aliases: ['new-york'] }),
    );
    expect(doc.locations).toContainEqual(
      expect.objectContaining({ location: 'eu-central', available: false }),
    );
  });
});

describe('bridge check-version', () => {
  it('exits 0 when every configured region has the tag', async () => {
    const r = await stack.run(['check-version', 'arena-server', '1.4.0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('is in all 7 configured regions');
  });

  it('exits 1 and names the regions that lack it', async () => {
    const r = await stack.run(['check-version', 'arena-server', '1.5.0', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ready: boolean; missing: string[] };
    expect(doc.ready).toBe(false);
    expect(doc.missing).toEqual(
      expect.arrayContaining(['na-east', 'ap-southeast-1', 'asia-northeast', 'sa-east']),
    );
    expect(doc.missing).not.toContain('eu-west-1');
  });
});

describe('bridge stop', () => {
  it('only shows what it would stop without --yes (exit 2)', async () => {
    const r = await stack.run(['stop', 'cli-b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add --yes');
    const still = JSON.parse((await stack.run(['session', 'cli-b', '--json'])).stdout) as {
      record: { state: string };
    };
    expect(still.record.state).toBe('READY');
  });

  it('stops and archives a READY session as the reaper would', async () => {
    const r = await stack.run(['stop', 'cli-b', '--yes', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      record: { state: string; endReason: string; archive: { manifestKey?: string } };
    };
    expect(doc.record.state).toBe('ENDED');
    expect(doc.record.archive.manifestKey).toMatch(/manifest\.json$/);
    const again = await stack.run(['stop', 'cli-b', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already ENDED');
  });

  it('exits 1 for an unknown match', async () => {
    expect((await stack.run(['stop', 'cli-nobody', '--yes'])).code).toBe(1);
  });
});

describe('secrecy', () => {
  it('never printed the Gameye token', () => {
    expect(stack.printed.join('\n')).not.toContain(stack.bridge.emulator.token);
  });
});
