/** The config's region names as the operator types them (`sessions --region`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../lambdas/core/config.ts';
import { locationOf } from '../../tools/cli/regions.ts';
import { LOCAL_CONFIG } from './support.ts';

const config = parseBridgeConfig(JSON.parse(readFileSync(LOCAL_CONFIG, 'utf8')));

describe('locationOf', () => {
  it('turns a matchmaker alias into its Gameye location and keeps a location as it is', () => {
    expect(locationOf(config, 'dublin')).toBe('eu-west-1');
    expect(locationOf(config, 'eu-west-1')).toBe('eu-west-1');
  });

  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'keeps %s as a name, not a property every object has',
    (name) => {
      expect(locationOf(config, name)).toBe(name);
    },
  );
});
