import { describe, expect, it } from 'vitest';
import { parseRuntimeEnv, RuntimeEnvError } from '../../lambdas/runtime/env.ts';
import { FUNCTION_ENV } from '../../lambdas/shared/resources.ts';
import { aBridgeConfigInput } from '../fixtures/config.ts';

function anEnv(gameyeBaseUrl: string): Record<string, string> {
  return {
    [FUNCTION_ENV.tableName]: 'sessions',
    [FUNCTION_ENV.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:session-events',
    [FUNCTION_ENV.gameyeBaseUrl]: gameyeBaseUrl,
    [FUNCTION_ENV.gameyeTokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye',
    [FUNCTION_ENV.bridgeConfig]: JSON.stringify(aBridgeConfigInput()),
  };
}

function refusal(gameyeBaseUrl: string): RuntimeEnvError {
  try {
    parseRuntimeEnv(anEnv(gameyeBaseUrl));
  } catch (error) {
    if (error instanceof RuntimeEnvError) return error;
    throw error;
  }
  throw new Error('expected the environment to be refused');
}

describe('parseRuntimeEnv', () => {
  it('accepts an https Gameye URL', () => {
    const env = parseRuntimeEnv(anEnv('https://api.production-gameye.gameye.net'));

    expect(env.gameyeBaseUrl).toBe('https://api.production-gameye.gameye.net');
  });

  it.each(['http://127.0.0.1:8080', 'http://[::1]:8080', 'http://localhost:8080'])(
    'accepts plain http to the loopback host of local mode: %s',
    (url) => {
      expect(parseRuntimeEnv(anEnv(url)).gameyeBaseUrl).toBe(url);
    },
  );

  it('refuses plain http to any other host, naming the variable and the fix', () => {
    const error = refusal('http://api.production-gameye.gameye.net');

    expect(error.name).toBe('RuntimeEnvError');
    expect(error.message).toBe(
      'invalid function environment: GAMEYE_BASE_URL must be an https:// URL, got http://api.production-gameye.gameye.net: ' +
        "the Gameye token would travel in the clear. Set GAMEYE_BASE_URL to Gameye's https:// URL " +
        '(http:// is allowed only for a loopback host, 127.0.0.1, ::1 or localhost, in local mode)',
    );
  });

  it.each([
    'http://127.0.0.2:8080',
    'http://localhost.example.com',
    'ftp://127.0.0.1',
    'ws://localhost:8080',
  ])('refuses %s', (url) => {
    expect(refusal(url).message).toContain('GAMEYE_BASE_URL must be an https:// URL');
  });

  it('never quotes credentials a URL carries', () => {
    expect(refusal('http://user:s3cret@gameye.example/').message).not.toContain('s3cret');
  });
});
