/** Gameye's bearer-token authentication and per-operation scopes. */
import type { IncomingMessage } from 'node:http';
import { type GameyeOperation, type GameyeScope, OPERATION_SCOPES } from '../../lambdas/gameye/contract.ts';
import type { EmulatorConfig } from './config.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { EmulatorHttpError } from './http-error.ts';

/** Tokens the emulator knows, with their scopes (`undefined`: every scope). */
export type TokenIndex = ReadonlyMap<string, ReadonlySet<GameyeScope> | undefined>;

/** The config's tokens plus the main token, which has every scope. */
export function indexTokens(config: EmulatorConfig, mainToken: string): TokenIndex {
  const tokens = new Map<string, ReadonlySet<GameyeScope> | undefined>();
  for (const t of config.tokens) tokens.set(t.token, t.scopes ? new Set(t.scopes) : undefined);
  tokens.set(mainToken, undefined);
  return tokens;
}

/** The token of `Authorization: Bearer <token>`, undefined when there is none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

/** 401 for a missing or unknown token, 403 for a token without the operation's scope. */
export function authorize(emulator: EmulatorContext, req: IncomingMessage, operation: GameyeOperation): void {
  const token = bearerToken(req);
  const scopes = token === undefined ? false : emulator.scopesOf(token);
  if (scopes === false) throw new EmulatorHttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required');
  const needed: GameyeScope | undefined = OPERATION_SCOPES[operation];
  if (scopes !== undefined && needed !== undefined && !scopes.has(needed)) {
    throw new EmulatorHttpError(403, 'FORBIDDEN', `the token lacks the scope ${needed}`);
  }
}
