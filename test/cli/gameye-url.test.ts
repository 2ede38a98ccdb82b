/** Which Gameye URL deployed mode sends the token to, and which it refuses. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../tools/cli/errors.ts';
import { chooseDeployedGameyeUrl, DEFAULT_GAMEYE_BASE_URL } from '../../tools/cli/gameye-url.ts';

const STACK = 'https://gameye.stack.example';
const ENV = 'https://gameye.env.example';
const OPTION = 'https://gameye.option.example';

function refusal(sources: Parameters<typeof chooseDeployedGameyeUrl>[0]): UsageError {
  try {
    chooseDeployedGameyeUrl(sources);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('chooseDeployedGameyeUrl', () => {
  it("uses the stack's GameyeBaseUrl output and says nothing when nothing else is given", () => {
    expect(chooseDeployedGameyeUrl({ stackOutput: STACK })).toEqual({ url: STACK, notes: [] });
  });

  it("ignores a GAMEYE_BASE_URL that differs from the stack's output, with a note", () => {
    const chosen = chooseDeployedGameyeUrl({ stackOutput: STACK, env: ENV });
    expect(chosen.url).toBe(STACK);
    expect(chosen.notes).toEqual([expect.stringContaining(`ignoring GAMEYE_BASE_URL ${ENV}`)]);
  });

  it("says nothing about a GAMEYE_BASE_URL equal to the stack's output (trailing slash aside)", () => {
    expect(chooseDeployedGameyeUrl({ stackOutput: STACK, env: `${STACK}/` }).notes).toEqual([]);
  });

  it("lets --gameye-url override the stack's output, and says so", () => {
    const chosen = chooseDeployedGameyeUrl({ stackOutput: STACK, env: ENV, option: OPTION });
    expect(chosen.url).toBe(OPTION);
    expect(chosen.notes).toEqual([
      `overriding the stack's GameyeBaseUrl ${STACK} with --gameye-url ${OPTION}`,
    ]);
  });

  it('uses GAMEYE_BASE_URL only for a stack without the output, then production', () => {
    expect(chooseDeployedGameyeUrl({ env: ENV })).toEqual({ url: ENV, notes: [] });
    expect(chooseDeployedGameyeUrl({ stackOutput: '', env: ' ' })).toEqual({
      url: DEFAULT_GAMEYE_BASE_URL,
      notes: [],
    });
  });

  it.each([
    ['--gameye-url', { stackOutput: STACK, option: 'http://gameye.option.example' }, 'an https:// URL'],
    ['GAMEYE_BASE_URL', { env: 'http://127.0.0.1:8080' }, 'unset it'],
    ["the stack's GameyeBaseUrl output", { stackOutput: 'http://gameye.stack.example' }, 'redeploy'],
    ['--gameye-url', { option: 'gameye.example' }, 'an https:// URL'],
    ['--gameye-url', { option: 'ftp://gameye.example' }, 'an https:// URL'],
  ])('refuses a URL that is not https from %s, saying how to fix it (exit 2)', (name, sources, fix) => {
    const error = refusal(sources);
    expect(error.exitCode).toBe(2);
    expect(error.message.startsWith(`${name} `)).toBe(true);
    expect(error.message).toContain('not an https:// URL');
    expect(error.details.join('\n')).toContain(fix);
  });

  it('does not refuse a plain-http GAMEYE_BASE_URL it ignores for the stack output', () => {
    expect(chooseDeployedGameyeUrl({ stackOutput: STACK, env: 'http://gameye.env.example' }).url).toBe(STACK);
  });
});
