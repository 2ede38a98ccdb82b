import { describe, expect, it } from 'vitest';
import { boundedText, listWithMore } from '../../lambdas/core/bounded-text.ts';

describe('boundedText', () => {
  it('keeps text within the bound and cuts longer text to the bound, ending in an ellipsis', () => {
    expect(boundedText('abc', 3)).toBe('abc');
    expect(boundedText('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair, so the result stays valid UTF-16', () => {
    const cut = boundedText('ab😀cd', 4);

    expect(cut).toBe('ab…');
    expect(cut.isWellFormed()).toBe(true);
  });
});

describe('listWithMore', () => {
  it('names the first items and counts the rest', () => {
    expect(listWithMore(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c and 2 more');
    expect(listWithMore(['a', 'b'], 3)).toBe('a, b');
  });

  it('cuts each item it names', () => {
    expect(listWithMore(['x'.repeat(10)], 1, 4)).toBe('xxx…');
  });
});
