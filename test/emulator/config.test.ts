import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultEmulatorConfig,
  defaultEmulatorConfigInput,
  EmulatorConfigError,
  type EmulatorConfigInput,
  loadEmulatorConfig,
  parseEmulatorConfig,
  startEmulator,
} from '../../tools/gameye-emulator/index.ts';

function withChange(change: (c: EmulatorConfigInput) => void): EmulatorConfigInput {
  const copy = structuredClone(defaultEmulatorConfigInput);
  change(copy);
  return copy;
}

function issuesOf(input: unknown): readonly string[] {
  try {
    parseEmulatorConfig(input);
  } catch (error) {
    if (error instanceof EmulatorConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('emulator config', () => {
  it('names the field of a bad region capacity', () => {
    const issues = issuesOf(
      withChange((c) => {
        const region = c.regions[2];
        if (region) region.capacity = 0;
      }),
    );
    expect(issues).toContain('regions[2].capacity: expected a positive integer');
  });

  it('names an image tag entry for a region that does not exist', () => {
    const issues = issuesOf(
      withChange((c) => {
        const image = c.images[1];
        if (image) image.tags['mars-1'] = ['1.0.0'];
      }),
    );
    expect(issues).toContain('images[1].tags.mars-1: unknown region');
  });

  it('rejects unknown fields, bad IPs, bad scopes and out-of-range probabilities', () => {
    const issues = issuesOf(
      withChange((c) => {
        Object.assign(c, { colour: 'blue' });
        const region = c.regions[0];
        if (region) region.hosts = ['not-an-ip'];
        c.tokens = [{ token: 't', scopes: ['session:start', 'everything' as 'session:read'] }];
        c.faults = { 'session-run': { error500Probability: 2 } };
      }),
    ).join('\n');
    expect(issues).toContain('regions[0].hosts[0]: expected an IPv4 address');
    expect(issues).toContain('tokens[0].scopes[1]');
    expect(issues).toContain(
      'faults.session-run.error500Probability: expected a probability between 0 and 1',
    );
    expect(issues).toMatch(/colour/);
  });

  it('refuses to start an emulator on an invalid config', async () => {
    await expect(
      startEmulator({
        config: withChange((c) => {
          c.startupDelayMs = -1;
        }),
      }),
    ).rejects.toThrow(/startupDelayMs: expected a non-negative integer/);
  });

  it('loads a JSON file and resolves a relative fixture folder against it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gameye-emulator-'));
    const file = join(dir, 'config.json');
    const raw = withChange((c) => {
      const image = c.images[0];
      if (image) image.fixtureDir = 'fixtures/arena';
    });
    await writeFile(file, JSON.stringify(raw));
    const config = loadEmulatorConfig(file);
    expect(config.images[0]?.fixtureDir).toBe(join(dir, 'fixtures/arena'));
  });

  it('reports a file that is not JSON by its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gameye-emulator-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, '{');
    expect(() => loadEmulatorConfig(file)).toThrow(/broken\.json.*cannot read JSON/);
  });

  it('ships a default with Gameye-style and cloud-style regions, each with finite capacity', () => {
    const names = defaultEmulatorConfig.regions.map((r) => r.name);
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(names).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'ap-southeast-1']));
    expect(names).toEqual(expect.arrayContaining(['na-east', 'eu-central', 'asia-northeast', 'sa-east']));
    for (const region of defaultEmulatorConfig.regions) expect(Number.isFinite(region.capacity)).toBe(true);
  });

  it('offers arena-server everywhere with 1.4.0, 1.5.0 only in some regions, and a second image in a subset', () => {
    const [arena, second] = defaultEmulatorConfig.images;
    const regions = defaultEmulatorConfig.regions.map((r) => r.name);
    expect(arena?.name).toBe('arena-server');
    for (const region of regions) expect(arena?.tags[region]).toContain('1.4.0');
    const with150 = regions.filter((r) => arena?.tags[r]?.includes('1.5.0'));
    expect(with150.length).toBeGreaterThan(0);
    expect(with150.length).toBeLessThan(regions.length);
    expect(Object.keys(second?.tags ?? {}).length).toBeLessThan(regions.length);
  });
});
