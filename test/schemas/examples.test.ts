/**
 * Every file in `schemas/examples/` is valid against its published JSON Schema (chosen by the
 * file's name) and read by the bridge as what it claims to be, with the example configuration's
 * `sources`: a schema and the bridge cannot disagree about an example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../bin/generate-schemas.ts';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { readInbound } from '../../lambdas/core/inbound.ts';

const EXAMPLES = resolve(SCHEMAS_DIR, 'examples');

/** Example file name prefix → the schema it must satisfy, and what the bridge reads it as. */
const BY_PREFIX = [
  { prefix: 'match-found', schema: 'match-found-v1', reads: 'match' },
  { prefix: 'match-backfilled', schema: 'match-backfilled-v1', reads: 'match-backfilled' },
  { prefix: 'flexmatch-backfill', schema: 'flexmatch-matchmaking-succeeded', reads: 'match-backfilled' },
  { prefix: 'flexmatch-', schema: 'flexmatch-matchmaking-succeeded', reads: 'match' },
  { prefix: 'openmatch2-', schema: 'openmatch2-match', reads: 'match' },
  { prefix: 'nakama-matched', schema: 'nakama-matched-v1', reads: 'match' },
  { prefix: 'bridge-config', schema: 'bridge-config', reads: undefined },
] as const;

const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
// `format: uuid` is checked by the bridge's own parse below; Ajv would only warn that it skips it.
const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
const validator = (schema: string) =>
  ajv.compile(read(resolve(SCHEMAS_DIR, `${schema}.schema.json`)) as object);
const sources = parseBridgeConfig(read(resolve(EXAMPLES, 'bridge-config-sources.json'))).sources;

describe('schema examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

  it('name a published schema, every one of them', () => {
    const unmatched = files.filter((f) => !BY_PREFIX.some((b) => f.startsWith(b.prefix)));
    expect(unmatched).toEqual([]);
  });

  it.each(files)('%s is valid against its schema and read by the bridge as such', (file) => {
    const rule = BY_PREFIX.find((b) => file.startsWith(b.prefix));
    if (rule === undefined) throw new Error(`no schema for ${file}`);
    const validate = validator(rule.schema);
    const body = readFileSync(resolve(EXAMPLES, file), 'utf8');

    expect(validate(JSON.parse(body)), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    if (rule.reads === undefined) {
      expect(() => parseBridgeConfig(JSON.parse(body))).not.toThrow();
    } else {
      const message = readInbound(body, sources);
      expect(message.kind, JSON.stringify(message)).toBe(rule.reads);
    }
  });
});
