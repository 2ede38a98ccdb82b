#!/usr/bin/env node
/**
 * Writes the JSON Schemas of the bridge's public formats to `schemas/`, generated from the zod
 * schemas in lambdas/core (one schema, one truth). Matchmaker teams and event subscribers in
 * any language validate against these. `npm test` fails when they are out of date.
 *
 *   npm run schemas            write them
 *   npm run schemas -- --check exit 1 if a committed file differs from what would be written
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jsonSchemas } from '../tools/schemas/json-schema.ts';

export const SCHEMAS_DIR = resolve(import.meta.dirname, '../schemas');

/** File name → the exact text the file must hold. */
export function renderedSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    out.set(`${name}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  return out;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of renderedSchemas()) {
    const path = resolve(SCHEMAS_DIR, file);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== text) {
        stale++;
        console.error(`schemas/${file} is out of date: run npm run schemas`);
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote schemas/${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
