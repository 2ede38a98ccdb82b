/**
 * Helpers for the emulator's own tests: a tiny JSON-over-fetch caller (deliberately not the
 * project's Gameye client, which is tested against the emulator, not the other way round).
 */
import type { SessionRunOk } from '../../lambdas/gameye/contract.ts';
import type { RunningEmulator } from './index.ts';

/** One answer, body read as text and, when it parses, as JSON. */
export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** A caller bound to one emulator and token (`null` sends no Authorization header). */
export type Caller = (method: string, path: string, body?: unknown) => Promise<CallResult>;

/**
 * A caller with `token` and any `extraHeaders` (e.g. an `accept`; fetch sends `*\/*` when
 * none is given).
 */
export function callerFor(
  emulator: RunningEmulator,
  token: string | null = emulator.token,
  extraHeaders: Readonly<Record<string, string>> = {},
): Caller {
  return async (method, path, body) => {
    const headers: Record<string, string> = { ...extraHeaders };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** Start an arena-server session and answer the 201 body (throws on any other status). */
export async function startArena(
  call: Caller,
  extra: Record<string, unknown> = {},
): Promise<SessionRunOk & { id: string }> {
  const res = await call('POST', '/session', { location: 'eu-west-1', image: 'arena-server', ...extra });
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.text}`);
  return res.json as SessionRunOk & { id: string };
}
