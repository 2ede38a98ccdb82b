/**
 * The Gameye OpenAPI description (at {@link SPEC_PATH}, beside the project; read at test
 * time, never copied) turned into an `openapi-backend` validator, and the checks the contract
 * tests run on every recorded request/response pair.
 *
 * openapi-backend validates bodies and parameters with Ajv, but several things it leaves
 * alone (see {@link checkExchange}) are checked here by hand, each against the spec itself:
 * whether the status is declared at all, the declared media type, an empty 204, undeclared
 * query parameters and the bearer token the spec's description demands.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, OpenAPIBackend, type Operation } from 'openapi-backend';
import { parse } from 'yaml';

/** The repository root (`/work/main`): three levels above this file. */
export const PROJECT_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the shared spec lives, relative to the project root as the issue asks. */
export const SPEC_PATH: string = resolve(PROJECT_ROOT, '../shared/gameye/openapi.yaml');

/** One ajv/openapi-backend complaint, flattened to a readable line. */
interface AjvLikeError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: unknown;
}

function describeErrors(errors: readonly AjvLikeError[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const params = e.params !== undefined && e.params !== null ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath === '' || e.instancePath === undefined ? '(root)' : e.instancePath} ${e.message ?? 'invalid'}${params}`;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The spec exactly as published (parsed YAML), a fresh copy on every call. */
export function loadRawSpec(): Record<string, unknown> {
  const parsed: unknown = parse(readFileSync(SPEC_PATH, 'utf8'));
  if (!isRecord(parsed) || typeof parsed.openapi !== 'string' || !parsed.openapi.startsWith('3.0.')) {
    throw new Error(`${SPEC_PATH} is not an OpenAPI 3.0 document`);
  }
  return parsed;
}

/**
 * Places where the published 1.2.1 file breaks the OpenAPI 3.0 schema (so openapi-backend's
 * strict init refuses it). None changes what a request or response may look like:
 * - `/logs` 200 has no `description` (required on every Response Object);
 * - `$ref`s carry siblings (`x-order`, `example`), which OpenAPI 3.0 forbids and says
 *   "SHALL be ignored".
 */
export const KNOWN_DEFINITION_DEFECTS: readonly string[] = [
  '/paths/~1logs/get/responses/200',
  '/components/schemas/SessionListOk',
  '/components/schemas/SessionListOk/properties/sessions',
  '/components/schemas/SessionListOk/properties/sessions/items',
  '/components/schemas/DescribedSession',
  '/components/schemas/DescribedSession/properties/status',
  '/components/schemas/DescribedSession/properties/players',
  '/components/schemas/SessionListEntry',
  '/components/schemas/SessionListEntry/properties/status',
];

/**
 * Where the document breaks the OpenAPI 3.0 schema, by instance path (deduplicated), as
 * openapi-backend's own definition check reports it.
 */
export async function definitionDefects(document: Record<string, unknown>): Promise<string[]> {
  const api = new OpenAPIBackend({ definition: structuredClone(document) as Document, quick: true });
  await api.loadDocument();
  try {
    api.validateDefinition();
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const json = message.slice(message.indexOf('['));
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) throw new Error(`unexpected definition error: ${message}`);
    const paths = parsed.map((e: unknown) =>
      isRecord(e) && typeof e.instancePath === 'string' ? e.instancePath : JSON.stringify(e),
    );
    return [...new Set(paths)];
  }
}

/**
 * Apply the rules OpenAPI 3.0 itself gives for the {@link KNOWN_DEFINITION_DEFECTS}: drop
 * the siblings of every `$ref` (they "SHALL be ignored") and give a Response Object without
 * a description an empty one. Schemas, statuses and media types are untouched.
 */
export function normalizeKnownDefects(document: Record<string, unknown>): Record<string, unknown> {
  const walk = (node: unknown, parentKey: string | undefined, grandKey: string | undefined): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined, parentKey));
    if (!isRecord(node)) return node;
    if (typeof node.$ref === 'string') return { $ref: node.$ref };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = walk(value, key, parentKey);
    const isResponseObject = grandKey === 'responses' && parentKey !== undefined && /^\d{3}$/.test(parentKey);
    if (isResponseObject && out.description === undefined) out.description = '';
    return out;
  };
  const normalized = walk(document, undefined, undefined);
  if (!isRecord(normalized)) throw new Error('normalisation lost the document');
  return normalized;
}

/** The validator the contract tests use. */
export interface ContractValidator {
  readonly api: OpenAPIBackend;
  /** The operations of the spec by operationId. */
  readonly operations: ReadonlyMap<string, Operation>;
}

let shared: Promise<ContractValidator> | undefined;

/**
 * openapi-backend over the spec, `validate: true` and `strict: true` (fail on a bad document
 * rather than warn), after {@link normalizeKnownDefects}. Built once per test worker.
 */
export function contractValidator(): Promise<ContractValidator> {
  shared ??= (async () => {
    const definition = normalizeKnownDefects(loadRawSpec()) as Document;
    // allErrors: report every violation of a body, not only the first.
    const api = new OpenAPIBackend({
      definition,
      validate: true,
      strict: true,
      ajvOpts: { allErrors: true },
    });
    await api.init();
    const operations = new Map<string, Operation>();
    for (const op of api.getOperations()) if (op.operationId) operations.set(op.operationId, op);
    return { api, operations };
  })();
  return shared;
}

/** One HTTP exchange as the recording proxy saw it. */
export interface RecordedExchange {
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  /** Raw query string without `?` ('' when none). */
  readonly query: string;
  readonly requestHeaders: Readonly<Record<string, string | string[]>>;
  /** The request body as sent, undefined when there was none. */
  readonly requestBody: string | undefined;
  readonly status: number;
  /** Full content-type header of the response, undefined when none. */
  readonly contentType: string | undefined;
  /** The whole body for JSON responses; the first bytes (as UTF-8) otherwise. */
  readonly responseBody: string;
  /** Bytes of response body seen (all of them, even when `responseBody` is truncated). */
  readonly responseBytes: number;
  /** True when the response ended normally; false when either side cut it (an aborted follow). */
  readonly complete: boolean;
}

/** What {@link checkExchange} found. Empty error lists mean the pair conforms. */
export interface ExchangeReport {
  /** The spec's operationId, or `(no operation)` when the route is not in the spec. */
  readonly operationId: string;
  readonly status: number;
  readonly requestErrors: readonly string[];
  readonly responseErrors: readonly string[];
  readonly exchange: RecordedExchange;
}

/** The message {@link checkExchange} gives for a status the operation does not declare. */
export function undeclaredStatus(operationId: string, status: number): string {
  return `status ${status} is not declared for ${operationId}`;
}

/**
 * `filterNot[key]=value` (API V2, which Gameye documents apart from the spec) is missing from the 1.2.1 spec. openapi-backend
 * rejects it (see the spec test), so it is taken out of the query and validated on its own
 * against the schema of `filter`, whose V1 twin it is. Nothing else is exempted.
 */
const FILTER_NOT = /^filterNot\[[^\]]+\]$/;

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

function header(headers: Readonly<Record<string, string | string[]>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function checkRequest(validator: ContractValidator, ex: RecordedExchange, op: Operation): string[] {
  const errors: string[] = [];
  const { api } = validator;
  const operationId = op.operationId ?? '';
  const params = new URLSearchParams(ex.query);
  const declared = new Map<string, string | undefined>();
  for (const p of op.parameters ?? []) {
    if ('in' in p && p.in === 'query') declared.set(p.name, p.style);
  }
  const kept = new URLSearchParams();
  const filterNot = new URLSearchParams();
  for (const [key, value] of params) {
    if (operationId === 'session-list' && FILTER_NOT.test(key)) {
      filterNot.append(key.replace(/^filterNot/, 'filter'), value);
      continue;
    }
    kept.append(key, value);
    // openapi-backend lets undeclared parameters through whenever a declared one has
    // `additionalProperties` (it copies that schema onto the whole query), so check here.
    const base = key.replace(/\[.*$/, '');
    if (!declared.has(base)) errors.push(`query parameter "${key}" is not declared for ${operationId}`);
    else if (key !== base && declared.get(base) !== 'deepObject') {
      errors.push(`query parameter "${key}" uses brackets but "${base}" is not a deepObject`);
    }
  }
  const headers = { ...ex.requestHeaders };
  const result = api.validateRequest(
    {
      method: ex.method,
      path: ex.path,
      query: kept.toString(),
      headers,
      ...(ex.requestBody === undefined ? {} : { body: ex.requestBody }),
    },
    op,
  );
  errors.push(...describeErrors(result.errors));
  if ([...filterNot].length > 0) {
    const gap = api.validateRequest(
      { method: ex.method, path: ex.path, query: filterNot.toString(), headers },
      op,
    );
    errors.push(...describeErrors(gap.errors).map((e) => `filterNot (validated as filter): ${e}`));
  }
  // "All endpoints of the Gameye Session API require authorization ... Bearer <token>"
  // (info.description). join/leave declare no `security`, so this is checked for all here.
  const authorization = header(ex.requestHeaders, 'authorization');
  if (authorization === undefined || !/^Bearer \S+$/.test(authorization)) {
    errors.push('the Authorization header is not "Bearer <token>"');
  }
  if (op.requestBody !== undefined) {
    const type = mediaType(header(ex.requestHeaders, 'content-type'));
    const content = 'content' in op.requestBody ? Object.keys(op.requestBody.content) : [];
    if (type === undefined || !content.includes(type)) {
      errors.push(`request content-type ${type ?? '(none)'} is not one of ${content.join(', ')}`);
    }
  } else if (ex.requestBody !== undefined && ex.requestBody !== '') {
    errors.push(`${operationId} takes no request body, but one was sent`);
  }
  return errors;
}

function checkResponse(validator: ContractValidator, ex: RecordedExchange, op: Operation): string[] {
  const operationId = op.operationId ?? '';
  const declared = op.responses?.[String(ex.status)];
  if (declared === undefined) return [undeclaredStatus(operationId, ex.status)];
  if ('$ref' in declared) return [`response ${ex.status} of ${operationId} is an unresolved $ref`];
  const content = declared.content;
  if (content === undefined) {
    const errors: string[] = [];
    if (ex.responseBytes > 0)
      errors.push(`${ex.status} declares no content, but ${ex.responseBytes} bytes came`);
    if (ex.contentType !== undefined)
      errors.push(`${ex.status} declares no content, but content-type ${ex.contentType}`);
    return errors;
  }
  const type = mediaType(ex.contentType);
  const types = Object.keys(content);
  if (type === undefined || !types.includes(type)) {
    return [`response content-type ${ex.contentType ?? '(none)'} is not one of ${types.join(', ')}`];
  }
  if (type !== 'application/json') return [];
  let json: unknown;
  try {
    json = JSON.parse(ex.responseBody);
  } catch (error) {
    return [`the ${ex.status} body is not JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  return describeErrors(validator.api.validateResponse(json, op, ex.status).errors);
}

/**
 * Check one recorded exchange against the spec: the request (route, parameters, body,
 * bearer token, content-type) and the response (declared status, media type, schema).
 */
export function checkExchange(validator: ContractValidator, ex: RecordedExchange): ExchangeReport {
  const op = validator.api.matchOperation({ method: ex.method, path: ex.path, headers: {} });
  if (op?.operationId === undefined) {
    const missing = `no operation of the spec matches ${ex.method} ${ex.path}`;
    return {
      operationId: '(no operation)',
      status: ex.status,
      requestErrors: [missing],
      responseErrors: [missing],
      exchange: ex,
    };
  }
  return {
    operationId: op.operationId,
    status: ex.status,
    requestErrors: checkRequest(validator, ex, op),
    responseErrors: checkResponse(validator, ex, op),
    exchange: ex,
  };
}

/**
 * Whether `body` is Gameye's error envelope (`components.schemas.ErrorResponse`). The spec
 * declares no 5xx, so this borrows the schema of a status that uses it: every operation's 401.
 */
export function envelopeErrors(validator: ContractValidator, body: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return ['not JSON'];
  }
  const op = validator.operations.get('session-run');
  if (!op) throw new Error('session-run missing from the spec');
  return describeErrors(validator.api.validateResponse(json, op, 401).errors);
}
