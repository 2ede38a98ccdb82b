/**
 * The TypeScript examples under `examples/` type-check against the construct's own sources
 * (`examples/tsconfig.json` maps the package name to `lib/index.ts`), so a renamed prop or
 * export fails here before a studio copies the example. The FlexMatch example is also run as
 * a studio app, from the packed package, in `package.test.ts`. The Go examples cannot be
 * compiled here (no Go toolchain); what can drift, the message the Nakama module writes, is
 * held to the published JSON Schema.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('examples/', () => {
  it('type-check with the project’s compiler settings', () => {
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc');

    const run = spawnSync(tsc, ['-p', path.join(ROOT, 'examples/tsconfig.json')], { encoding: 'utf8' });

    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

/** Every property name a JSON Schema declares, at any depth (not the keys of free-form maps). */
function declaredNames(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as { properties?: Record<string, unknown>; items?: unknown };
  const own = Object.entries(node.properties ?? {}).flatMap(([name, child]) => [
    name,
    ...declaredNames(child),
  ]);
  return [...own, ...declaredNames(node.items)];
}

describe('examples/nakama-module/main.go', () => {
  const go = readFileSync(path.join(ROOT, 'examples/nakama-module/main.go'), 'utf8');

  it('writes NakamaMatched v1 with exactly the fields its JSON Schema declares', () => {
    const schema: unknown = JSON.parse(
      readFileSync(path.join(ROOT, 'schemas/nakama-matched-v1.schema.json'), 'utf8'),
    );
    const tags = [...go.matchAll(/`json:"([^",]+)[^"]*"`/g)].map((m) => m[1]);

    expect(new Set(tags)).toEqual(new Set(declaredNames(schema)));
    expect(go).toContain('Type: "NakamaMatched", Version: 1');
  });

  it('derives match ids the schema accepts: "nakama-" and 32 hex digits', () => {
    const schema = JSON.parse(
      readFileSync(path.join(ROOT, 'schemas/nakama-matched-v1.schema.json'), 'utf8'),
    ) as {
      properties: { matchId: { pattern: string; maxLength: number } };
    };
    const { pattern, maxLength } = schema.properties.matchId;
    const id = `nakama-${'0123456789abcdef'.repeat(2)}`;

    expect(go).toContain('return "nakama-" + hex.EncodeToString(sum.Sum(nil))[:32]');
    expect(id).toMatch(new RegExp(pattern));
    expect(id.length).toBeLessThanOrEqual(maxLength);
  });
});
