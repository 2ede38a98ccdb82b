import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderedSchemas, SCHEMAS_DIR } from '../../bin/generate-schemas.ts';
import { parseMatchFound } from '../../lambdas/core/match-event.ts';

const read = (file: string): unknown => JSON.parse(readFileSync(resolve(SCHEMAS_DIR, file), 'utf8'));

describe('published JSON Schemas', () => {
  it('are exactly what the zod schemas generate (run npm run schemas after changing one)', () => {
    for (const [file, text] of renderedSchemas()) {
      expect(readFileSync(resolve(SCHEMAS_DIR, file), 'utf8'), `schemas/${file}`).toBe(text);
    }
  });

  it('accept every example MatchFound event, as does the bridge itself', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(read('match-found-v1.schema.json') as object);
    const examples = readdirSync(resolve(SCHEMAS_DIR, 'examples')).filter((f) => f.startsWith('match-found'));
    expect(examples.length).toBeGreaterThan(0);
    for (const file of examples) {
      const body = readFileSync(resolve(SCHEMAS_DIR, 'examples', file), 'utf8');
      expect(validate(JSON.parse(body)), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(parseMatchFound(body).ok, file).toBe(true);
    }
  });

  it('reject what the bridge rejects: a negative latency and a missing player list', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(read('match-found-v1.schema.json') as object);
    const good = read('examples/match-found-minimal.json') as Record<string, unknown>;
    const negative = { ...good, players: [{ id: 'a', latencies: { dublin: -1 } }] };
    const noPlayers = { ...good, players: [] };
    for (const bad of [negative, noPlayers]) {
      expect(validate(bad)).toBe(false);
      expect(parseMatchFound(JSON.stringify(bad)).ok).toBe(false);
    }
  });
});
