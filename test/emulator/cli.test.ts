import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AvailableLocationsOk } from '../../lambdas/gameye/contract.ts';

const CLI = fileURLToPath(new URL('../../bin/gameye-emulator.ts', import.meta.url));

/** Run the CLI to completion and collect its output. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('gameye-emulator CLI', () => {
  it('prints its URL, token and images, serves requests, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--token', 'cli-token'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('brawl-server')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    await ready;
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain('token: cli-token');
    expect(stdout).toContain('arena-server');
    const res = await fetch(`${url}/available-location/arena-server`, {
      headers: { authorization: 'Bearer cli-token' },
    });
    expect(AvailableLocationsOk.parse(await res.json()).locations.length).toBeGreaterThan(0);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('prints usage with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: gameye-emulator');
  });

  it('refuses a bad config file, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gameye-cli-'));
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        regions: [{ name: 'x', hosts: ['192.0.2.1'], capacity: 0 }],
        images: [{ name: 'i', ports: [{ container: 1, type: 'udp' }], defaultTag: 't', tags: { x: ['t'] } }],
      }),
    );
    const { code, stderr } = await run(['--port', '0', '--config', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('regions[0].capacity: expected a positive integer');
  });
});
