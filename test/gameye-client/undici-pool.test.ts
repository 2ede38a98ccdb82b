import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import requestFn from 'undici/lib/api/api-request.js';
import { describe, expect, it } from 'vitest';
import { Pool, request } from '../../lambdas/gameye/undici-pool.ts';

// The client loads undici's Pool and request from their files, not from undici's index (see
// undici-pool.ts). If an undici upgrade moves or changes them, these fail here, not in a Lambda.
describe('undici files the client loads directly', () => {
  it('hold the Pool class undici exports', () => {
    expect(Pool).toBe(undici.Pool);
  });

  it('hold the request call undici puts on every dispatcher', () => {
    expect(requestFn).toBe(undici.Dispatcher.prototype.request);
  });

  it('request on the given pool', async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const response = await request(pool, { path: '/session?x=1', method: 'GET' });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('GET /session?x=1');
    } finally {
      await pool.close();
      server.close();
    }
  });
});
