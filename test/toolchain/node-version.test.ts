import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

describe('toolchain', () => {
  it('runs on Node 24, the Lambda runtime we deploy (nodejs24.x)', () => {
    console.log(`tests run on Node ${process.version}`);
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(pkg.engines.node).toContain('24');
  });
});
