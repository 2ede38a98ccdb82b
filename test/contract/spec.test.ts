/**
 * The validator itself: the spec is read from beside the project (`SPEC_PATH`), its only
 * defects are the known ones, and the checks really reject wrong requests and responses, so
 * the contract tests cannot pass by validating nothing.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkExchange,
  contractValidator,
  definitionDefects,
  envelopeErrors,
  KNOWN_DEFINITION_DEFECTS,
  loadRawSpec,
  normalizeKnownDefects,
  PROJECT_ROOT,
  type RecordedExchange,
  SPEC_PATH,
  undeclaredStatus,
} from './support/openapi.ts';

const SPEC_OPERATIONS = [
  'session-run',
  'session-list',
  'describe-session',
  'session-stop',
  'join-session',
  'leave-session',
  'artifacts',
  'get-available-locations',
  'tag-exists',
  'stream-logs',
];

const AUTH = { authorization: 'Bearer t0ken' };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };
const ENVELOPE = {
  statusCode: 404,
  code: 'SESSION_NOT_FOUND',
  message: 'no such session',
  details: '',
  path: '/session/x',
  identifier: 'b7c1',
  timestamp: '2024-01-01T00:00:00.000Z',
};

function exchange(
  partial: Partial<RecordedExchange> & Pick<RecordedExchange, 'method' | 'path'>,
): RecordedExchange {
  return {
    query: '',
    requestHeaders: AUTH,
    requestBody: undefined,
    status: 200,
    contentType: 'application/json',
    responseBody: '{}',
    responseBytes: 2,
    complete: true,
    ...partial,
  };
}

describe('the Gameye OpenAPI spec as the contract tests load it', () => {
  it('is read from ../shared/gameye/openapi.yaml beside the project, not from a copy inside it', () => {
    expect(SPEC_PATH.startsWith(`${PROJECT_ROOT}/`)).toBe(false);
    expect(SPEC_PATH.endsWith('/shared/gameye/openapi.yaml')).toBe(true);
    expect(existsSync(SPEC_PATH)).toBe(true);
    expect(loadRawSpec().openapi).toBe('3.0.0');
  });

  it('breaks the OpenAPI 3.0 schema only in the known, meaning-free places', async () => {
    expect((await definitionDefects(loadRawSpec())).sort()).toEqual([...KNOWN_DEFINITION_DEFECTS].sort());
  });

  it('is a valid OpenAPI 3.0 document once $ref siblings are dropped and descriptions filled in', async () => {
    expect(await definitionDefects(normalizeKnownDefects(loadRawSpec()))).toEqual([]);
  });

  it('names the ten operations the client and the emulator implement', async () => {
    const { operations } = await contractValidator();
    expect([...operations.keys()].sort()).toEqual([...SPEC_OPERATIONS].sort());
  });
});

describe('the contract checks reject what breaks the spec', () => {
  it('reject a SessionRunOk without host', async () => {
    const v = await contractValidator();
    const report = checkExchange(
      v,
      exchange({
        method: 'POST',
        path: '/session',
        requestHeaders: JSON_AUTH,
        requestBody: '{"location":"eu-west-1","image":"arena-server"}',
        status: 201,
        responseBody: '{"id":"a","ports":[]}',
      }),
    );
    expect(report.requestErrors).toEqual([]);
    expect(report.responseErrors.join('\n')).toContain("must have required property 'host'");
  });

  it('reject a port outside 1-65535 and an unknown protocol in a SessionRunOk', async () => {
    const v = await contractValidator();
    const report = checkExchange(
      v,
      exchange({
        method: 'POST',
        path: '/session',
        requestHeaders: JSON_AUTH,
        requestBody: '{"location":"eu-west-1","image":"arena-server"}',
        status: 201,
        responseBody: '{"host":"1.2.3.4","ports":[{"type":"sctp","container":0,"host":24000}]}',
      }),
    );
    expect(report.responseErrors.length).toBeGreaterThanOrEqual(2);
  });

  it('reject a described session whose status is not one of the enum', async () => {
    const v = await contractValidator();
    const body = {
      id: 'a',
      image: 'i',
      tag: 't',
      location: 'l',
      host: 'h',
      created: 1,
      port: {},
      status: 'sleeping',
      labels: {},
      players: { joined: [], joinedCount: 0 },
    };
    const report = checkExchange(
      v,
      exchange({ method: 'GET', path: '/session/a', responseBody: JSON.stringify(body) }),
    );
    expect(report.responseErrors.join('\n')).toContain('/status must be equal to one of the allowed values');
  });

  it('reject an error envelope without identifier', async () => {
    const v = await contractValidator();
    const { identifier: _dropped, ...withoutIdentifier } = ENVELOPE;
    const report = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session/x',
        status: 404,
        responseBody: JSON.stringify(withoutIdentifier),
      }),
    );
    expect(report.responseErrors.join('\n')).toContain("must have required property 'identifier'");
    expect(envelopeErrors(v, JSON.stringify(withoutIdentifier))).not.toEqual([]);
    expect(envelopeErrors(v, JSON.stringify(ENVELOPE))).toEqual([]);
  });

  it('reject a status the operation does not declare, even though openapi-backend alone would accept it', async () => {
    const v = await contractValidator();
    const op = v.operations.get('describe-session');
    if (!op) throw new Error('describe-session missing');
    // openapi-backend finds no validator for an undeclared status and calls the response valid.
    expect(v.api.validateResponse({ anything: true }, op, 503).valid).toBe(true);
    const report = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session/x',
        status: 503,
        contentType: 'text/html',
        responseBody: '<html>',
      }),
    );
    expect(report.responseErrors).toEqual([undeclaredStatus('describe-session', 503)]);
  });

  it('reject a body on a 204 and a wrong media type on a stream', async () => {
    const v = await contractValidator();
    const stop = checkExchange(
      v,
      exchange({ method: 'DELETE', path: '/session/x', status: 204, responseBody: '{}', responseBytes: 2 }),
    );
    expect(stop.responseErrors).not.toEqual([]);
    const logs = checkExchange(
      v,
      exchange({ method: 'GET', path: '/logs', query: 'id=x', contentType: 'application/octet-stream' }),
    );
    expect(logs.responseErrors.join('\n')).toContain('is not one of text/plain');
  });

  it('reject a start request with an unknown property, a missing image and an empty env value', async () => {
    const v = await contractValidator();
    const report = checkExchange(
      v,
      exchange({
        method: 'POST',
        path: '/session',
        requestHeaders: JSON_AUTH,
        requestBody: '{"location":"eu-west-1","env":{"A":""},"colour":"red"}',
        status: 201,
        responseBody: '{"host":"1.2.3.4","ports":[]}',
      }),
    );
    const errors = report.requestErrors.join('\n');
    expect(errors).toContain("must have required property 'image'");
    expect(errors).toContain('must NOT have additional properties');
    expect(errors).toContain('/requestBody/env/A must NOT have fewer than 1 characters');
  });

  it('reject a request without a bearer token and an undeclared query parameter', async () => {
    const v = await contractValidator();
    const report = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session',
        query: 'colour=red',
        requestHeaders: {},
        responseBody: '{"sessions":[]}',
      }),
    );
    expect(report.requestErrors).toEqual([
      'query parameter "colour" is not declared for session-list',
      'the Authorization header is not "Bearer <token>"',
    ]);
  });

  it('reject a non-integer playerCount bound, parsing the deepObject as the spec defines it', async () => {
    const v = await contractValidator();
    const ok = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session',
        query: 'playerCount[lt]=3&playerCount[gt]=0',
        responseBody: '{"sessions":[]}',
      }),
    );
    expect(ok.requestErrors).toEqual([]);
    const bad = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session',
        query: 'playerCount[lt]=few',
        responseBody: '{"sessions":[]}',
      }),
    );
    expect(bad.requestErrors.join('\n')).toContain('/query/playerCount/lt must be integer');
  });

  it('reject filterNot when openapi-backend sees it raw: the V2 parameter is missing from the 1.2.1 spec', async () => {
    const v = await contractValidator();
    const op = v.operations.get('session-list');
    if (!op) throw new Error('session-list missing');
    const raw = v.api.validateRequest(
      { method: 'GET', path: '/session', query: 'filterNot[status]=exited', headers: AUTH },
      op,
    );
    expect(raw.valid).toBe(false);
    // The checker validates it as `filter` instead, so a malformed filterNot is still caught.
    const malformed = checkExchange(
      v,
      exchange({
        method: 'GET',
        path: '/session',
        query: 'filterNot=exited',
        responseBody: '{"sessions":[]}',
      }),
    );
    expect(malformed.requestErrors).toContain('query parameter "filterNot" is not declared for session-list');
  });

  it('reject a route that is not in the spec', async () => {
    const v = await contractValidator();
    const report = checkExchange(v, exchange({ method: 'GET', path: '/sessions' }));
    expect(report.operationId).toBe('(no operation)');
    expect(report.requestErrors).not.toEqual([]);
  });
});
