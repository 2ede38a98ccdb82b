/**
 * undici's `Pool` and its `request` call, loaded from the two undici files that define them
 * rather than from undici's index.
 *
 * Why: undici's index is CommonJS and loads everything undici ships (fetch, WebSocket,
 * EventSource, caches, mocks, proxy agents, interceptors). No bundler can drop what a CommonJS
 * index requires, so `import { Pool } from 'undici'` put 560 KB and about 18 ms of cold start
 * into the placement function for one class. undici's index wires the same two files together
 * (`Object.assign(Dispatcher.prototype, api)`); calling `request` with the pool as `this`
 * does the same without touching a shared prototype. `test/gameye-client/undici-pool.test.ts`
 * checks these paths still export what undici's index exports, so an undici upgrade that moves
 * them fails a test instead of a Lambda.
 */
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import requestFn from 'undici/lib/api/api-request.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';

export const Pool: typeof UndiciPool = PoolClass;
export type Pool = UndiciPool;

/** `pool.request(options)` of undici's public API. */
export function request(pool: Pool, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestFn.call(pool, options);
}
