/**
 * The Gameye token, read from Secrets Manager through Powertools Parameters (cached, so a
 * warm function does not call Secrets Manager per invocation) or, in local mode, given
 * directly. The value never leaves this module except into the Gameye client's private field.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { TokenSource } from './env.ts';

/** Five minutes: a rotated token reaches warm functions within that. */
const SECRET_MAX_AGE_SECONDS = 300;

export async function readGameyeToken(source: TokenSource): Promise<string> {
  if ('token' in source) return source.token;
  const value = await getSecret(source.secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value.trim() === '') {
    // Name the secret, never its value.
    throw new Error(`the Gameye token secret ${source.secretArn} is empty: set it with put-secret-value`);
  }
  return value.trim();
}
