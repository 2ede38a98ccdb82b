/**
 * The Gameye token, read from Secrets Manager through Powertools Parameters (cached, so a
 * warm function does not call Secrets Manager per invocation) or, in local mode, given
 * directly. The value never leaves this module except into the Gameye client's private field.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { GameyeClient, type GameyeClientOptions } from '../gameye/index.ts';
import type { TokenSource } from './env.ts';
import { isSecretWithoutValue } from './secret-errors.ts';

/** Five minutes: a rotated token reaches warm functions within that. */
const SECRET_MAX_AGE_SECONDS = 300;

/** The token secret exists but holds no token (created empty, or set to blanks). */
export class GameyeTokenMissingError extends Error {
  override readonly name = 'GameyeTokenMissingError';
}

export async function readGameyeToken(source: TokenSource): Promise<string> {
  if ('token' in source) return source.token;
  let value: unknown;
  try {
    value = await getSecret(source.secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  } catch (error) {
    if (isSecretWithoutValue(error)) {
      throw new GameyeTokenMissingError(
        `the Gameye token secret ${source.secretArn} has no value yet: set it with put-secret-value`,
        { cause: error },
      );
    }
    throw error;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    // Name the secret, never its value.
    throw new GameyeTokenMissingError(
      `the Gameye token secret ${source.secretArn} is empty: set it with put-secret-value`,
    );
  }
  return value.trim();
}

/**
 * The Gameye client for the current token: built once, and again only when the token changed
 * (a rotation reaches warm functions through the secret's cache). The keep-alive pool per base
 * URL is shared by every client anyway.
 */
export function gameyeClients(
  source: TokenSource,
  options: Omit<GameyeClientOptions, 'token'>,
): () => Promise<GameyeClient> {
  let current: { token: string; client: GameyeClient } | undefined;
  return async () => {
    const token = await readGameyeToken(source);
    if (current?.token !== token) current = { token, client: new GameyeClient({ ...options, token }) };
    return current.client;
  };
}
