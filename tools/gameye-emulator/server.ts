/**
 * The emulator's HTTP face: plain `node:http` (no framework, keep-alive on) so a start costs
 * well under a millisecond. Every request is routed to a Gameye operation, counted, delayed
 * and faulted as configured, authenticated, then answered from the {@link SessionStore}.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  type AvailableLocationsOk,
  type ErrorResponse,
  type FieldViolation,
  type GameyeOperation,
  type GameyeScope,
  type JoinSessionOk,
  JoinSessionRequest,
  type LeaveSessionOk,
  LeaveSessionRequest,
  ListSessionsQuery,
  OPERATION_SCOPES,
  type SessionListOk,
  type SessionRunOk,
  SessionRunRequest,
  type TagOk,
} from '../../lambdas/gameye/contract.ts';
import { collectArtifactEntries, normalizeContainerPath, streamArtifact } from './artifacts.ts';
import {
  type EmulatorConfig,
  type EmulatorConfigInput,
  type FaultConfig,
  type FaultConfigInput,
  FaultConfig as FaultConfigSchema,
  FaultTarget,
  fixtureDirOf,
  formatIssuePath,
  GAMEYE_OPERATIONS,
  parseEmulatorConfig,
} from './config.ts';
import { streamLog } from './logs.ts';
import { type Random, seededRandom } from './rng.ts';
import {
  type CrashStatus,
  type EmulatedSession,
  EmulatorHttpError,
  type SessionSnapshot,
  SessionStore,
  VirtualClock,
} from './state.ts';

/** Requests received per Gameye operation (whatever the answer, faults included). */
export type EmulatorStats = Record<GameyeOperation, number>;

/** Test-only controls; the same are served over HTTP under `/__admin/`. */
export interface EmulatorAdmin {
  /** End a session as if its container died (`exited`/`dead`) or lose contact with it (`server_unreachable`). */
  crash(sessionId: string, status?: CrashStatus): SessionSnapshot;
  /** Replace the joined players with `player-1` ... `player-n`. */
  setPlayerCount(sessionId: string, count: number): SessionSnapshot;
  /** Replace the joined players. */
  setPlayers(sessionId: string, players: readonly string[]): SessionSnapshot;
  /** Move the virtual clock forward, then apply due ttl expiries; answers the new virtual now. */
  advanceClock(ms: number): number;
  /** The virtual now (epoch ms), as `created` reports it. */
  now(): number;
  /** Set (or with `undefined`, clear) fault injection of one operation or of `*`. */
  setFaults(operation: FaultTarget, faults: FaultConfigInput | undefined): void;
  /** Change top-level config fields at runtime (validated like a file); answers the result. */
  setConfig(partial: Partial<EmulatorConfigInput>): EmulatorConfig;
  /** Every session, stopped ones included. */
  sessions(): SessionSnapshot[];
  stats(): EmulatorStats;
  /** Back to the starting state: no sessions, zero stats, clock and config as started. */
  reset(): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void> | void;

interface RequestContext {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: readonly string[];
}

interface Route {
  readonly operation: GameyeOperation;
  readonly handler: Handler;
  readonly params: readonly string[];
}

const MAX_BODY_BYTES = 1024 * 1024;
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n';

/** Gameye's field violations from zod issues (`labels.foo`, one per unrecognized key). */
export function violationsOf(error: z.ZodError): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const issue of error.issues) {
    const base = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: base === '' ? key : `${base}.${key}`, description: 'unrecognized property' });
      }
    } else {
      out.push({ field: base === '' ? '(body)' : base, description: issue.message });
    }
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const AdminCrashBody = z
  .object({ status: z.enum(['exited', 'dead', 'server_unreachable']).optional() })
  .strict()
  .default({});
const AdminPlayersBody = z.union([
  z.object({ count: z.int().nonnegative() }).strict(),
  z.object({ players: z.array(z.string()) }).strict(),
]);
const AdminClockBody = z.object({ ms: z.number().nonnegative() }).strict();

/** Everything one running emulator holds: config, sessions, RNG, counters, open work. */
export class Emulator {
  readonly token: string;
  readonly server: Server;
  readonly store: SessionStore;
  readonly admin: EmulatorAdmin;
  readonly #initialConfig: EmulatorConfig;
  readonly #clock = new VirtualClock();
  #random: Random;
  #tokens = new Map<string, ReadonlySet<GameyeScope> | undefined>();
  #stats: EmulatorStats = Emulator.#zeroStats();
  /** Cleanups of open work (follow streams, latency timers) run by close(). */
  readonly #open = new Set<() => void>();

  constructor(config: EmulatorConfig, token: string) {
    this.token = token;
    this.#initialConfig = config;
    this.store = new SessionStore(config, this.#clock);
    this.#random = seededRandom(config.seed);
    this.#indexTokens(config);
    this.server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#sendUnexpected(req, res, error));
    });
    // Keep pooled client connections (undici keeps them ~4 s) from racing a server-side close.
    this.server.keepAliveTimeout = 65_000;
    this.admin = this.#makeAdmin();
  }

  get config(): EmulatorConfig {
    return this.store.config;
  }

  static #zeroStats(): EmulatorStats {
    return Object.fromEntries(GAMEYE_OPERATIONS.map((op) => [op, 0])) as EmulatorStats;
  }

  #indexTokens(config: EmulatorConfig): void {
    this.#tokens = new Map();
    for (const t of config.tokens) this.#tokens.set(t.token, t.scopes ? new Set(t.scopes) : undefined);
    this.#tokens.set(this.token, undefined);
  }

  #applyConfig(config: EmulatorConfig, reseed: boolean): void {
    this.store.config = config;
    this.#indexTokens(config);
    if (reseed) this.#random = seededRandom(config.seed);
  }

  /** Stop serving: ends follow streams and hanging requests, clears timers. */
  async close(): Promise<void> {
    for (const cleanup of [...this.#open]) cleanup();
    this.#open.clear();
    this.store.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  #track(cleanup: () => void): () => void {
    this.#open.add(cleanup);
    return () => this.#open.delete(cleanup);
  }

  // ---- request pipeline ----------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
    if (path.startsWith('/__admin/')) {
      await this.#handleAdmin(req, res, path, query);
      return;
    }
    const route = this.#route(req.method ?? 'GET', path);
    if (route === undefined) {
      this.#sendError(
        res,
        path,
        new EmulatorHttpError(404, 'NOT_FOUND', `no route for ${req.method} ${path}`),
      );
      return;
    }
    if (route === 'method') {
      this.#sendError(
        res,
        path,
        new EmulatorHttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`),
      );
      return;
    }
    this.#stats[route.operation]++;
    await this.#delay(route.operation);
    if (this.#injectFault(req, res, route.operation, path)) return;
    try {
      this.#authorize(req, route.operation);
      await route.handler(req, res, { path, query, params: route.params });
    } catch (error) {
      if (error instanceof EmulatorHttpError) this.#sendError(res, path, error);
      else throw error;
    }
  }

  #route(method: string, path: string): Route | 'method' | undefined {
    const segments = path.split('/').slice(1);
    let decoded: string[];
    try {
      decoded = segments.map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
    const [first, second, third] = decoded;
    const pick = (table: Partial<Record<string, [GameyeOperation, Handler]>>, params: string[] = []) => {
      const hit = table[method];
      return hit ? { operation: hit[0], handler: hit[1], params } : 'method';
    };
    switch (first) {
      case 'session':
        if (decoded.length === 1) {
          return pick({ POST: ['session-run', this.#sessionRun], GET: ['session-list', this.#sessionList] });
        }
        if (decoded.length === 3 && second === 'player' && third === 'join') {
          return pick({ PUT: ['join-session', this.#join] });
        }
        if (decoded.length === 3 && second === 'player' && third === 'leave') {
          return pick({ DELETE: ['leave-session', this.#leave] });
        }
        if (decoded.length === 2 && second) {
          return pick({ GET: ['describe-session', this.#describe], DELETE: ['session-stop', this.#stop] }, [
            second,
          ]);
        }
        return undefined;
      case 'artifacts':
        return decoded.length === 1 ? pick({ GET: ['artifacts', this.#artifacts] }) : undefined;
      case 'logs':
        return decoded.length === 1 ? pick({ GET: ['stream-logs', this.#logs] }) : undefined;
      case 'available-location':
        return decoded.length === 2 && second
          ? pick({ GET: ['get-available-locations', this.#availableLocations] }, [second])
          : undefined;
      case 'tag':
        return decoded.length === 4 && decoded.every(Boolean)
          ? pick({ GET: ['tag-exists', this.#tagExists] }, decoded.slice(1))
          : undefined;
      default:
        return undefined;
    }
  }

  async #delay(operation: GameyeOperation): Promise<void> {
    const latency = this.config.latency;
    const own = latency.operations[operation];
    const fixed = own?.fixedMs ?? latency.fixedMs;
    const jitter = own?.jitterMs ?? latency.jitterMs;
    const ms = fixed + (jitter > 0 ? Math.floor(this.#random() * (jitter + 1)) : 0);
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        untrack();
        resolve();
      }, ms);
      const untrack = this.#track(() => clearTimeout(timer));
    });
  }

  /** Answers true when a fault took the request over. One RNG draw per faulted operation. */
  #injectFault(req: IncomingMessage, res: ServerResponse, operation: GameyeOperation, path: string): boolean {
    const faults: FaultConfig | undefined = this.config.faults[operation] ?? this.config.faults['*'];
    if (!faults) return false;
    let r = this.#random();
    const hit = (p: number) => {
      if (r < p) return true;
      r -= p;
      return false;
    };
    if (hit(faults.error500Probability)) {
      this.#sendError(
        res,
        path,
        new EmulatorHttpError(500, 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred'),
      );
      return true;
    }
    if (hit(faults.error503Probability)) {
      // A gateway in front of Gameye answers, so there is no Gameye envelope.
      res.writeHead(503, {
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(BAD_GATEWAY_HTML),
      });
      res.end(BAD_GATEWAY_HTML);
      return true;
    }
    if (hit(faults.error420Probability)) {
      this.#sendError(
        res,
        path,
        new EmulatorHttpError(
          420,
          'TOO_MANY_REQUESTS',
          'too many sessions started in a short period, try again later',
        ),
      );
      return true;
    }
    if (hit(faults.hangProbability)) {
      // Never answer; close() or the client's timeout ends it.
      const untrack = this.#track(() => req.socket.destroy());
      req.socket.once('close', untrack);
      return true;
    }
    if (hit(faults.resetProbability)) {
      req.socket.destroy();
      return true;
    }
    return false;
  }

  #bearer(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) return undefined;
    const token = header.slice(7).trim();
    return token === '' ? undefined : token;
  }

  #authorize(req: IncomingMessage, operation: GameyeOperation): void {
    const token = this.#bearer(req);
    if (token === undefined || !this.#tokens.has(token)) {
      throw new EmulatorHttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    const scopes = this.#tokens.get(token);
    const needed: GameyeScope | undefined = OPERATION_SCOPES[operation];
    if (scopes !== undefined && needed !== undefined && !scopes.has(needed)) {
      throw new EmulatorHttpError(403, 'FORBIDDEN', `the token lacks the scope ${needed}`);
    }
  }

  async #readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES)
        throw new EmulatorHttpError(413, 'PAYLOAD_TOO_LARGE', 'the body exceeds 1 MiB');
      chunks.push(buf);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'the body is not valid JSON');
    }
  }

  async #parseBody<T>(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    schema: z.ZodType<T>,
  ): Promise<T | undefined> {
    const result = schema.safeParse(await this.#readJson(req));
    if (result.success) return result.data;
    this.#sendError(
      res,
      path,
      new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'the request body is invalid'),
      violationsOf(result.error),
    );
    return undefined;
  }

  #sendError(
    res: ServerResponse,
    path: string,
    error: EmulatorHttpError,
    violations?: FieldViolation[],
  ): void {
    const body: ErrorResponse = {
      statusCode: error.statusCode,
      code: error.code,
      message: error.message,
      details: error.details,
      path,
      identifier: randomUUID(),
      timestamp: new Date(this.#clock.now()).toISOString(),
      ...(violations ? { violations } : {}),
    };
    sendJson(res, error.statusCode, body);
  }

  #sendUnexpected(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const message = error instanceof Error ? error.message : String(error);
    this.#sendError(
      res,
      path,
      new EmulatorHttpError(500, 'INTERNAL_SERVER_ERROR', 'emulator failure', message),
    );
  }

  #session(id: string): EmulatedSession {
    const session = this.store.get(id);
    if (!session) throw new EmulatorHttpError(404, 'SESSION_NOT_FOUND', `session "${id}" does not exist`);
    return session;
  }

  // ---- Gameye operations ---------------------------------------------------------------

  #sessionRun: Handler = async (req, res, { path }) => {
    const body = await this.#parseBody(req, res, path, SessionRunRequest);
    if (!body) return;
    const session = this.store.create(body);
    const ok: SessionRunOk = { id: session.id, host: session.host, ports: [...session.ports] };
    sendJson(res, 201, ok);
  };

  #sessionList: Handler = (_req, res, { path, query }) => {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of query) {
      const deep = /^([A-Za-z]+)\[([^\]]+)\]$/.exec(key);
      if (deep?.[1] && deep[2]) {
        const existing = raw[deep[1]];
        const group: Record<string, unknown> =
          typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {};
        raw[deep[1]] = group;
        group[deep[2]] = deep[1] === 'playerCount' && /^-?\d+$/.test(value) ? Number(value) : value;
      } else if (key === 'all') {
        raw[key] = value === '' || value === 'true' ? true : value === 'false' ? false : value;
      } else {
        raw[key] = value;
      }
    }
    const parsed = ListSessionsQuery.safeParse(raw);
    if (!parsed.success) {
      this.#sendError(
        res,
        path,
        new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'the query is invalid'),
        violationsOf(parsed.error),
      );
      return;
    }
    const f = parsed.data;
    const now = this.#clock.now();
    const field = (s: EmulatedSession, key: string): string | undefined => {
      switch (key) {
        case 'status':
          return this.store.statusOf(s, now);
        case 'image':
          return s.image;
        case 'tag':
          return s.tag;
        case 'location':
          return s.location;
        case 'host':
          return s.host;
        default:
          return s.labels[key];
      }
    };
    const filter = f.filter ? Object.entries(f.filter) : [];
    const filterNot = f.filterNot ? Object.entries(f.filterNot) : [];
    const sessions = [];
    for (const s of this.store.values()) {
      if (!f.all && !this.store.isActive(s)) continue;
      if (f.location !== undefined && s.location !== f.location) continue;
      if (f.image !== undefined && s.image !== f.image) continue;
      if (f.tag !== undefined && s.tag !== f.tag) continue;
      if (f.host !== undefined && s.host !== f.host) continue;
      const lt = f.playerCount?.lt;
      const gt = f.playerCount?.gt;
      if (lt !== undefined && !(s.players.size < lt)) continue;
      if (gt !== undefined && !(s.players.size > gt)) continue;
      if (filter.some(([k, v]) => field(s, k) !== v)) continue;
      if (filterNot.some(([k, v]) => field(s, k) === v)) continue;
      sessions.push(this.store.toListEntry(s, now));
    }
    const ok: SessionListOk = { sessions };
    sendJson(res, 200, ok);
  };

  #describe: Handler = (_req, res, { params }) => {
    sendJson(res, 200, this.store.describe(this.#session(params[0] ?? '')));
  };

  #stop: Handler = (_req, res, { params }) => {
    const session = this.#session(params[0] ?? '');
    if (!this.store.isActive(session)) {
      throw new EmulatorHttpError(
        409,
        'SESSION_ALREADY_STOPPED',
        `session "${session.id}" has already been stopped`,
      );
    }
    this.store.stop(session, 'exited', 'stop requested through the API');
    res.writeHead(204);
    res.end();
  };

  #join: Handler = async (req, res, { path }) => {
    const body = await this.#parseBody(req, res, path, JoinSessionRequest);
    if (!body) return;
    const session = this.store.join(body.session, body.players);
    const ok: JoinSessionOk = { count: session.players.size, players: [...session.players] };
    sendJson(res, 200, ok);
  };

  #leave: Handler = async (req, res, { path }) => {
    const body = await this.#parseBody(req, res, path, LeaveSessionRequest);
    if (!body) return;
    const { sessions, left } = this.store.leave(body.players);
    const ok: LeaveSessionOk = { count: sessions.reduce((n, s) => n + s.players.size, 0), players: left };
    sendJson(res, 200, ok);
  };

  #artifacts: Handler = async (_req, res, { query }) => {
    const sessionId = query.get('session') ?? '';
    const rawPath = query.get('path') ?? '';
    const violations: FieldViolation[] = [];
    if (sessionId === '') violations.push({ field: 'session', description: 'required' });
    if (rawPath === '') violations.push({ field: 'path', description: 'required' });
    const containerPath = rawPath === '' ? undefined : normalizeContainerPath(rawPath);
    if (rawPath !== '' && containerPath === undefined) {
      violations.push({ field: 'path', description: 'expected an absolute path' });
    }
    if (violations.length > 0 || containerPath === undefined) {
      throw new EmulatorHttpError(
        422,
        'UNPROCESSABLE_ENTITY',
        violations.map((v) => `${v.field}: ${v.description}`).join('; '),
      );
    }
    const session = this.#session(sessionId);
    const now = this.#clock.now();
    if (session.stoppedAt === undefined) {
      // Gameye copies artifacts out of the stopped container; while it runs there is nothing.
      throw new EmulatorHttpError(
        404,
        'ARTIFACT_NOT_AVAILABLE',
        `session "${session.id}" is still running; artifacts are available after it stops`,
      );
    }
    if (now >= session.stoppedAt + this.config.artifactRemovalDelayMs) {
      throw new EmulatorHttpError(
        404,
        'ARTIFACT_REMOVED',
        `the container of session "${session.id}" has been removed from its host`,
      );
    }
    const image = this.config.images.find((i) => i.name === session.image);
    const entries = await collectArtifactEntries({
      fixtureDir: image ? fixtureDirOf(image) : '',
      containerPath,
      sessionId: session.id,
      synthetic: this.config.artifacts.synthetic,
    });
    if (entries.length === 0) {
      throw new EmulatorHttpError(404, 'ARTIFACT_NOT_FOUND', `no file or folder at "${containerPath}"`);
    }
    const archiveName = containerPath === '/' ? 'root' : (containerPath.split('/').pop() ?? 'artifact');
    await streamArtifact(res, entries, new Date(session.stoppedAt), archiveName);
  };

  #logs: Handler = (_req, res, { query }) => {
    const id = query.get('id') ?? '';
    if (id === '') throw new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'id: required');
    const session = this.#session(id);
    const follow = query.get('follow') === 'true' || query.get('follow') === '1';
    streamLog(res, {
      log: session.log,
      follow,
      intervalMs: this.config.logIntervalMs,
      sync: () => session.log.sync(this.#clock.now(), session.players.size),
      track: (stop) => this.#track(stop),
    });
  };

  #availableLocations: Handler = (_req, res, { params }) => {
    const name = params[0] ?? '';
    const image = this.config.images.find((i) => i.name === name);
    if (!image) throw new EmulatorHttpError(404, 'IMAGE_NOT_FOUND', `image "${name}" does not exist`);
    const ok: AvailableLocationsOk = {
      locations: this.config.regions
        .filter((r) => image.tags[r.name] !== undefined && this.store.activeIn(r.name) < r.capacity)
        .map((r) => ({ id: r.name, ips: [...(r.pingIps ?? r.hosts)] })),
    };
    sendJson(res, 200, ok);
  };

  #tagExists: Handler = (_req, res, { params }) => {
    const [region = '', imageName = '', version = ''] = params;
    const image = this.config.images.find((i) => i.name === imageName);
    if (!image) throw new EmulatorHttpError(404, 'IMAGE_NOT_FOUND', `image "${imageName}" does not exist`);
    const ok: TagOk = { exists: image.tags[region]?.includes(version) ?? false };
    sendJson(res, 200, ok);
  };

  // ---- admin ---------------------------------------------------------------------------

  #makeAdmin(): EmulatorAdmin {
    const store = this.store;
    return {
      crash: (sessionId, status = 'exited') => store.snapshot(store.crash(sessionId, status)),
      setPlayerCount: (sessionId, count) =>
        store.snapshot(
          store.setPlayers(
            sessionId,
            Array.from({ length: count }, (_, i) => `player-${i + 1}`),
          ),
        ),
      setPlayers: (sessionId, players) => store.snapshot(store.setPlayers(sessionId, players)),
      advanceClock: (ms) => {
        if (!(ms >= 0)) throw new RangeError('advanceClock expects a non-negative number of milliseconds');
        this.#clock.offsetMs += ms;
        store.applyDueExpiries();
        return this.#clock.now();
      },
      now: () => this.#clock.now(),
      setFaults: (operation, faults) => {
        const target = FaultTarget.parse(operation);
        const next: Record<string, FaultConfigInput> = { ...this.config.faults };
        if (faults === undefined) delete next[target];
        else next[target] = FaultConfigSchema.parse(faults);
        this.#applyConfig(parseEmulatorConfig({ ...this.config, faults: next }, 'setFaults'), false);
      },
      setConfig: (partial) => {
        const next = parseEmulatorConfig({ ...this.config, ...partial }, 'setConfig');
        this.#applyConfig(next, partial.seed !== undefined);
        return next;
      },
      sessions: () => [...store.values()].map((s) => store.snapshot(s)),
      stats: () => ({ ...this.#stats }),
      reset: () => {
        store.clear();
        this.#stats = Emulator.#zeroStats();
        this.#clock.offsetMs = 0;
        this.#applyConfig(this.#initialConfig, true);
      },
    };
  }

  /**
   * `/__admin/...`, guarded by the emulator's main token (never by a scoped config token).
   * Not counted in stats and never delayed or faulted.
   */
  async #handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    _query: URLSearchParams,
  ): Promise<void> {
    try {
      if (this.#bearer(req) !== this.token) {
        throw new EmulatorHttpError(401, 'UNAUTHORIZED', 'the admin API needs the emulator token');
      }
      const method = req.method ?? 'GET';
      const parts = path
        .split('/')
        .slice(2)
        .map((s) => decodeURIComponent(s));
      const body = async <T>(schema: z.ZodType<T>): Promise<T | undefined> => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const text = Buffer.concat(chunks).toString('utf8');
        let raw: unknown;
        try {
          raw = text === '' ? undefined : JSON.parse(text);
        } catch {
          throw new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'the body is not valid JSON');
        }
        const result = schema.safeParse(raw);
        if (result.success) return result.data;
        this.#sendError(
          res,
          path,
          new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'invalid admin body'),
          violationsOf(result.error),
        );
        return undefined;
      };
      const [a, b, c] = parts;
      if (method === 'GET' && a === 'sessions' && parts.length === 1) {
        sendJson(res, 200, { sessions: this.admin.sessions() });
      } else if (method === 'GET' && a === 'stats' && parts.length === 1) {
        sendJson(res, 200, this.admin.stats());
      } else if (method === 'GET' && a === 'config' && parts.length === 1) {
        sendJson(res, 200, this.config);
      } else if (method === 'POST' && a === 'sessions' && b && c === 'crash' && parts.length === 3) {
        const parsed = await body(AdminCrashBody);
        if (parsed) sendJson(res, 200, this.admin.crash(b, parsed.status));
      } else if (method === 'PUT' && a === 'sessions' && b && c === 'players' && parts.length === 3) {
        const parsed = await body(AdminPlayersBody);
        if (parsed) {
          sendJson(
            res,
            200,
            'count' in parsed
              ? this.admin.setPlayerCount(b, parsed.count)
              : this.admin.setPlayers(b, parsed.players),
          );
        }
      } else if (method === 'POST' && a === 'clock' && b === 'advance' && parts.length === 2) {
        const parsed = await body(AdminClockBody);
        if (parsed) sendJson(res, 200, { now: this.admin.advanceClock(parsed.ms) });
      } else if ((method === 'PUT' || method === 'DELETE') && a === 'faults' && b && parts.length === 2) {
        const target = FaultTarget.safeParse(b);
        if (!target.success) throw new EmulatorHttpError(404, 'NOT_FOUND', `unknown operation "${b}"`);
        const parsed = method === 'PUT' ? await body(z.record(z.string(), z.unknown())) : {};
        if (parsed) {
          this.admin.setFaults(target.data, method === 'PUT' ? (parsed as FaultConfigInput) : undefined);
          sendJson(res, 200, { faults: this.config.faults });
        }
      } else if (method === 'PATCH' && a === 'config' && parts.length === 1) {
        const parsed = await body(z.record(z.string(), z.unknown()));
        if (parsed) sendJson(res, 200, this.admin.setConfig(parsed as Partial<EmulatorConfigInput>));
      } else if (method === 'POST' && a === 'reset' && parts.length === 1) {
        this.admin.reset();
        res.writeHead(204);
        res.end();
      } else {
        throw new EmulatorHttpError(404, 'NOT_FOUND', `no admin route for ${method} ${path}`);
      }
    } catch (error) {
      if (error instanceof EmulatorHttpError) {
        this.#sendError(res, path, error);
      } else if (error instanceof Error && error.name === 'EmulatorConfigError') {
        this.#sendError(res, path, new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', error.message));
      } else if (error instanceof z.ZodError) {
        this.#sendError(
          res,
          path,
          new EmulatorHttpError(422, 'UNPROCESSABLE_ENTITY', 'invalid admin input'),
          violationsOf(error),
        );
      } else {
        throw error;
      }
    }
  }
}
