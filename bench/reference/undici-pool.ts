/**
 * Reference entry of `bench/bundle-size.bench.ts`, never deployed: undici's Pool and request
 * exactly as the Gameye client loads them, and nothing else.
 */
export { Pool as handler, request } from '../../lambdas/gameye/undici-pool.ts';
