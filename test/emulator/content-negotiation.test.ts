import { request } from 'node:http';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../lambdas/gameye/contract.ts';
import { isAcceptable } from '../../tools/gameye-emulator/content-negotiation.ts';
import { type RunningEmulator, startEmulator } from '../../tools/gameye-emulator/index.ts';
import { callerFor, startArena } from '../../tools/gameye-emulator/testing.ts';

describe('isAcceptable (RFC 9110 §12.5.1)', () => {
  it.each([
    ['no Accept header', undefined, 'text/plain'],
    ['*/*', '*/*', 'application/x-tar'],
    ['the type itself', 'application/x-tar', 'application/x-tar'],
    ['type/*', 'text/*', 'text/plain; charset=utf-8'],
    ['one of a list', 'application/x-tar, application/json', 'application/json'],
    ['a case-insensitive match', 'Text/Plain', 'text/plain'],
    ['a range whose parameter the type carries', 'text/plain;charset=UTF-8', 'text/plain; charset=utf-8'],
    ['a low but positive weight', 'text/plain;q=0.001', 'text/plain'],
    ['a more specific range overriding q=0 on */*', '*/*;q=0, text/plain', 'text/plain'],
    ['a header with nothing that parses, as if absent', 'garbage', 'application/json'],
    ['a header given twice', ['application/json', 'text/plain'], 'text/plain'],
  ])('accepts with %s', (_name, accept, type) => {
    expect(isAcceptable(accept, type)).toBe(true);
  });

  it.each([
    ['another type', 'application/json', 'text/plain'],
    ['another type/*', 'application/*', 'text/plain'],
    ['q=0 on the type', 'text/plain;q=0, */*', 'text/plain'],
    ['q=0 on type/*, which beats */*', 'text/*;q=0, */*;q=1', 'text/plain; charset=utf-8'],
    ['q=0.000', 'application/x-tar;q=0.000', 'application/x-tar'],
    ['a range parameter the type does not carry', 'text/plain;charset=latin1', 'text/plain; charset=utf-8'],
  ])('refuses with %s', (_name, accept, type) => {
    expect(isAcceptable(accept, type)).toBe(false);
  });
});

const emulator: RunningEmulator = await startEmulator();
const call = callerFor(emulator);
const accepting = (accept: string) => callerFor(emulator, emulator.token, { accept });

beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.close());

/** A GET with no Accept header at all (fetch always sends one). */
function getWithoutAccept(path: string): Promise<{ status: number; type: string | undefined }> {
  const url = new URL(path, emulator.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${emulator.token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the emulator enforces Accept', () => {
  it('answers 406 with the error envelope when Accept excludes the logs text/plain', async () => {
    const { id } = await startArena(call);

    const res = await accepting('application/json')('GET', `/logs?id=${id}`);

    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(ErrorResponse.parse(res.json)).toMatchObject({ statusCode: 406, code: 'NOT_ACCEPTABLE' });
  });

  it('answers 406 when Accept excludes the artifacts application/x-tar, and 200 to text/plain with */*', async () => {
    const { id } = await startArena(call);
    await call('DELETE', `/session/${id}`);
    const path = `/artifacts?session=${id}&path=/home/gameserver/logs`;

    expect((await accepting('application/json')('GET', path)).status).toBe(406);
    expect((await accepting('application/x-tar;q=0, */*')('GET', path)).status).toBe(406);
    expect((await accepting('text/plain, */*;q=0.1')('GET', path)).status).toBe(200);
  });

  it('answers 406 when Accept excludes JSON on a JSON operation', async () => {
    const res = await accepting('application/x-tar')('GET', '/session');

    expect(res.status).toBe(406);
  });

  it('serves what the client accepts, and anything to a request without Accept', async () => {
    const { id } = await startArena(call);

    expect((await accepting('text/*')('GET', `/logs?id=${id}`)).status).toBe(200);
    expect((await accepting('application/json, text/plain')('GET', `/logs?id=${id}`)).status).toBe(200);
    expect(await getWithoutAccept(`/logs?id=${id}`)).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
    });
  });

  it('has nothing to negotiate on a stop, whose success has no body', async () => {
    const { id } = await startArena(call);

    expect((await accepting('text/html')('DELETE', `/session/${id}`)).status).toBe(204);
  });

  it('authenticates before it negotiates', async () => {
    const res = await callerFor(emulator, 'unknown-token', { accept: 'text/html' })('GET', '/session');

    expect(res.status).toBe(401);
  });

  it('counts a refused request in the stats like any other', async () => {
    await accepting('text/html')('GET', '/session');

    expect(emulator.admin.stats()['session-list']).toBe(1);
  });
});
