/**
 * The emulator's fleet: its sessions and everything indexed from them (ids, host ports per
 * host, active sessions per region, players, the quota counter), and the lifecycle rules
 * (ttl, startup, stop, players). Every request touches only Maps keyed by what it names, so
 * the cost of a start does not grow with the number of sessions.
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribedSession,
  Port,
  SessionListEntry,
  SessionRunRequest,
  SessionStatus,
} from '../../lambdas/gameye/contract.ts';
import { parseTtl } from '../../lambdas/gameye/contract.ts';
import type { EmulatorConfig } from './config.ts';
import { EmulatorHttpError } from './http-error.ts';
import { SessionLog } from './session-log.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** Host ports Gameye maps container ports to. */
export const HOST_PORT_MIN = 20_000;
export const HOST_PORT_MAX = 30_000;
/** setTimeout's ceiling; longer ttls are re-armed when the timer fires. */
const MAX_TIMER_MS = 2_147_483_647;

/** Statuses after which a session holds no capacity, ports or players. */
export type TerminalStatus = 'exited' | 'dead';
/** Statuses the admin API may force onto a session. */
export type CrashStatus = TerminalStatus | 'server_unreachable';

/** One session as the emulator keeps it. */
export interface EmulatedSession {
  readonly id: string;
  readonly image: string;
  readonly tag: string;
  readonly location: string;
  readonly host: string;
  readonly ports: readonly Port[];
  /** `{"7777/udp": 24011}` as describe/list report it. */
  readonly portMap: Readonly<Record<string, number>>;
  /** The caller's labels (Gameye reports them JSON-encoded under `labels.tags`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly reportedLabels: Readonly<Record<string, string>>;
  readonly externalId: string | undefined;
  /** Virtual epoch ms. */
  readonly created: number;
  readonly runningAt: number;
  readonly expiresAt: number | undefined;
  stoppedAt: number | undefined;
  /** Set by a stop or by the admin `crash`; otherwise the status follows the clock. */
  forcedStatus: SessionStatus | undefined;
  readonly players: Set<string>;
  readonly log: SessionLog;
  ttlTimer: NodeJS.Timeout | undefined;
}

/** A read-only view of a session for tests (`admin.sessions()`). */
export interface SessionSnapshot {
  readonly id: string;
  readonly image: string;
  readonly tag: string;
  readonly location: string;
  readonly host: string;
  readonly ports: readonly Port[];
  readonly status: SessionStatus;
  readonly created: number;
  readonly stoppedAt: number | undefined;
  readonly expiresAt: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly players: readonly string[];
  readonly externalId: string | undefined;
}

interface HostPorts {
  readonly used: Set<number>;
  cursor: number;
}

/** Sessions, their indexes and the lifecycle rules (ttl, startup, stop, players). */
export class Fleet {
  config: EmulatorConfig;
  readonly clock: VirtualClock;
  readonly #sessions = new Map<string, EmulatedSession>();
  readonly #activeByRegion = new Map<string, number>();
  readonly #portsByHost = new Map<string, HostPorts>();
  readonly #roundRobin = new Map<string, number>();
  readonly #sessionsByPlayer = new Map<string, Set<string>>();
  /** Active sessions with a ttl, so expiring them never scans the rest. */
  readonly #withTtl = new Set<EmulatedSession>();
  #started = 0;

  constructor(config: EmulatorConfig, clock: VirtualClock) {
    this.config = config;
    this.clock = clock;
  }

  get(id: string): EmulatedSession | undefined {
    return this.#sessions.get(id);
  }

  values(): IterableIterator<EmulatedSession> {
    return this.#sessions.values();
  }

  activeIn(region: string): number {
    return this.#activeByRegion.get(region) ?? 0;
  }

  statusOf(session: EmulatedSession, now = this.clock.now()): SessionStatus {
    if (session.forcedStatus !== undefined) return session.forcedStatus;
    return now >= session.runningAt ? 'running' : 'created';
  }

  isActive(session: EmulatedSession): boolean {
    return session.stoppedAt === undefined;
  }

  /** Start a session, checking in Gameye's order: id, image/location/tag, quota, capacity. */
  create(request: SessionRunRequest): EmulatedSession {
    const id = request.id ?? randomUUID();
    if (this.#sessions.has(id)) {
      throw new EmulatorHttpError(409, 'SESSION_CONFLICT', `a session with id "${id}" already exists`);
    }
    const image = this.config.images.find((i) => i.name === request.image);
    if (!image)
      throw new EmulatorHttpError(404, 'IMAGE_NOT_FOUND', `image "${request.image}" does not exist`);
    const region = this.config.regions.find((r) => r.name === request.location);
    if (!region) {
      throw new EmulatorHttpError(404, 'LOCATION_NOT_FOUND', `location "${request.location}" does not exist`);
    }
    const tags = image.tags[region.name];
    if (!tags) {
      throw new EmulatorHttpError(
        404,
        'LOCATION_NOT_FOUND',
        `image "${image.name}" is not available in location "${region.name}"`,
      );
    }
    const tag = request.version ?? (tags.includes(image.defaultTag) ? image.defaultTag : tags[0]);
    if (tag === undefined || !tags.includes(tag)) {
      throw new EmulatorHttpError(
        404,
        'TAG_NOT_FOUND',
        `tag "${request.version}" of image "${image.name}" is not available in location "${region.name}"`,
      );
    }
    const quota = this.config.quota?.totalSessions;
    if (quota !== undefined && this.#started >= quota) {
      throw new EmulatorHttpError(402, 'QUOTA_EXHAUSTED', `the quota of ${quota} sessions is exhausted`);
    }
    if (this.activeIn(region.name) >= region.capacity) {
      throw new EmulatorHttpError(
        420,
        'NO_CAPACITY',
        `no capacity left in location "${region.name}"`,
        'try again in a few seconds or try another location',
      );
    }
    const turn = this.#roundRobin.get(region.name) ?? 0;
    this.#roundRobin.set(region.name, turn + 1);
    const host = region.hosts[turn % region.hosts.length] ?? region.hosts[0] ?? '127.0.0.1';
    const hostPorts = this.#allocatePorts(host, image.ports.length);
    const ports: Port[] = image.ports.map((p, i) => ({
      type: p.type,
      container: p.container,
      host: hostPorts[i] ?? 0,
    }));
    const portMap: Record<string, number> = {};
    for (const p of ports) portMap[`${p.container}/${p.type}`] = p.host;

    const now = this.clock.now();
    const ttlMs = request.ttl === undefined ? undefined : parseTtl(request.ttl);
    const labels = { ...(request.labels ?? {}) };
    const session: EmulatedSession = {
      id,
      image: image.name,
      tag,
      location: region.name,
      host,
      ports,
      portMap,
      labels,
      // Gameye reports what it injected and the caller's labels, never the caller's env.
      reportedLabels: {
        env: JSON.stringify({ GAMEYE_SESSION_ID: id, GAMEYE_HOST: host }),
        tags: JSON.stringify(labels),
      },
      externalId: request.external_id,
      created: now,
      runningAt: now + this.config.startupDelayMs,
      expiresAt: ttlMs === undefined ? undefined : now + ttlMs,
      stoppedAt: undefined,
      forcedStatus: undefined,
      players: new Set(),
      log: new SessionLog({
        id,
        image: image.name,
        tag,
        created: now,
        portMap,
        startupDelayMs: this.config.startupDelayMs,
        intervalMs: this.config.logIntervalMs,
      }),
      ttlTimer: undefined,
    };
    this.#sessions.set(id, session);
    this.#activeByRegion.set(region.name, this.activeIn(region.name) + 1);
    this.#started++;
    if (session.expiresAt !== undefined) {
      this.#withTtl.add(session);
      this.#armTtl(session);
    }
    return session;
  }

  #allocatePorts(host: string, count: number): number[] {
    let entry = this.#portsByHost.get(host);
    if (!entry) {
      entry = { used: new Set(), cursor: HOST_PORT_MIN };
      this.#portsByHost.set(host, entry);
    }
    const span = HOST_PORT_MAX - HOST_PORT_MIN + 1;
    if (entry.used.size + count > span) {
      throw new EmulatorHttpError(420, 'NO_CAPACITY', `no free host ports left on ${host}`);
    }
    const out: number[] = [];
    while (out.length < count) {
      const port = entry.cursor;
      entry.cursor = port >= HOST_PORT_MAX ? HOST_PORT_MIN : port + 1;
      if (!entry.used.has(port)) {
        entry.used.add(port);
        out.push(port);
      }
    }
    return out;
  }

  #armTtl(session: EmulatedSession): void {
    if (session.expiresAt === undefined) return;
    const delay = Math.min(Math.max(0, session.expiresAt - this.clock.now()), MAX_TIMER_MS);
    session.ttlTimer = setTimeout(() => {
      session.ttlTimer = undefined;
      if (!this.isActive(session)) return;
      if (session.expiresAt !== undefined && this.clock.now() >= session.expiresAt) {
        this.stop(session, 'exited', 'ttl expired');
      } else {
        this.#armTtl(session);
      }
    }, delay);
    // A pending expiry must not keep a test runner or the CLI alive.
    session.ttlTimer.unref();
  }

  /**
   * Stop every session whose ttl is due under the virtual clock, and re-arm the real timers
   * of the others, which were set before the clock moved.
   */
  applyDueExpiries(): void {
    const now = this.clock.now();
    for (const session of [...this.#withTtl]) {
      if (session.expiresAt !== undefined && now >= session.expiresAt) {
        this.stop(session, 'exited', 'ttl expired');
      } else {
        if (session.ttlTimer) clearTimeout(session.ttlTimer);
        this.#armTtl(session);
      }
    }
  }

  /** Stop (or crash) a session: frees its capacity, ports and players; ends its log. */
  stop(session: EmulatedSession, status: TerminalStatus, reason: string): void {
    if (!this.isActive(session)) return;
    const now = this.clock.now();
    session.log.event(now, session.players.size, reason);
    session.stoppedAt = now;
    session.forcedStatus = status;
    if (session.ttlTimer) clearTimeout(session.ttlTimer);
    session.ttlTimer = undefined;
    this.#withTtl.delete(session);
    this.#activeByRegion.set(session.location, Math.max(0, this.activeIn(session.location) - 1));
    const hostPorts = this.#portsByHost.get(session.host);
    for (const p of session.ports) hostPorts?.used.delete(p.host);
    for (const player of session.players) this.#unindexPlayer(player, session.id);
    session.log.end(now, session.players.size, status);
  }

  #unindexPlayer(player: string, sessionId: string): void {
    const ids = this.#sessionsByPlayer.get(player);
    if (!ids) return;
    ids.delete(sessionId);
    if (ids.size === 0) this.#sessionsByPlayer.delete(player);
  }

  /** `PUT /session/player/join`: players join an active session. */
  join(sessionId: string, players: readonly string[]): EmulatedSession {
    const session = this.#sessions.get(sessionId);
    if (!session || !this.isActive(session)) {
      throw new EmulatorHttpError(
        404,
        'SESSION_NOT_FOUND',
        `session "${sessionId}" does not exist or has stopped`,
      );
    }
    const now = this.clock.now();
    for (const player of players) {
      if (session.players.has(player)) continue;
      session.players.add(player);
      let ids = this.#sessionsByPlayer.get(player);
      if (!ids) {
        ids = new Set();
        this.#sessionsByPlayer.set(player, ids);
      }
      ids.add(session.id);
      session.log.event(
        now,
        session.players.size,
        `player ${player} joined (${session.players.size} online)`,
      );
    }
    return session;
  }

  /**
   * `DELETE /session/player/leave`: the body names only players, so find the active
   * sessions holding them. Answers the sessions that changed and the players that left;
   * none found means 404.
   */
  leave(players: readonly string[]): { sessions: EmulatedSession[]; left: string[] } {
    const touched = new Map<string, EmulatedSession>();
    const left: string[] = [];
    const now = this.clock.now();
    for (const player of players) {
      const ids = this.#sessionsByPlayer.get(player);
      if (!ids) continue;
      left.push(player);
      for (const id of [...ids]) {
        const session = this.#sessions.get(id);
        if (!session) continue;
        session.players.delete(player);
        this.#unindexPlayer(player, id);
        touched.set(id, session);
        session.log.event(
          now,
          session.players.size,
          `player ${player} left (${session.players.size} online)`,
        );
      }
    }
    if (touched.size === 0) {
      throw new EmulatorHttpError(404, 'SESSION_NOT_FOUND', 'none of the players is in an active session');
    }
    return { sessions: [...touched.values()], left };
  }

  /** Admin: replace the joined players of a session. */
  setPlayers(sessionId: string, players: readonly string[]): EmulatedSession {
    const session = this.existing(sessionId);
    for (const player of session.players) this.#unindexPlayer(player, sessionId);
    session.players.clear();
    if (!this.isActive(session)) {
      for (const player of players) session.players.add(player);
      return session;
    }
    return this.join(sessionId, players);
  }

  /** Admin: the container died or became unreachable without anyone stopping it. */
  crash(sessionId: string, status: CrashStatus): EmulatedSession {
    const session = this.existing(sessionId);
    if (status === 'server_unreachable') {
      // Still placed and holding its ports: Gameye lost contact, the session did not end.
      if (this.isActive(session)) session.forcedStatus = status;
      return session;
    }
    this.stop(
      session,
      status,
      status === 'dead' ? 'fatal: segmentation fault (core dumped)' : 'process exited',
    );
    return session;
  }

  /** The session, or 404 SESSION_NOT_FOUND. */
  existing(sessionId: string): EmulatedSession {
    const session = this.#sessions.get(sessionId);
    if (!session)
      throw new EmulatorHttpError(404, 'SESSION_NOT_FOUND', `session "${sessionId}" does not exist`);
    return session;
  }

  /** Forget everything (admin `reset`); ends follow streams of still-active sessions. */
  clear(): void {
    for (const session of this.#sessions.values()) {
      if (session.ttlTimer) clearTimeout(session.ttlTimer);
      session.ttlTimer = undefined;
      session.log.discard();
    }
    this.#sessions.clear();
    this.#activeByRegion.clear();
    this.#portsByHost.clear();
    this.#roundRobin.clear();
    this.#sessionsByPlayer.clear();
    this.#withTtl.clear();
    this.#started = 0;
  }

  /** `GET /session` and list views. */
  toListEntry(session: EmulatedSession, now: number): SessionListEntry {
    return { ...this.#common(session, now), playerCount: session.players.size };
  }

  /** The fields list entries and descriptions share. */
  #common(session: EmulatedSession, now?: number) {
    return {
      id: session.id,
      image: session.image,
      tag: session.tag,
      location: session.location,
      host: session.host,
      created: session.created,
      port: session.portMap,
      status: this.statusOf(session, now),
      labels: session.reportedLabels,
    };
  }

  /** `GET /session/{id}`. */
  describe(session: EmulatedSession): DescribedSession {
    return {
      ...this.#common(session),
      players: { joined: [...session.players], joinedCount: session.players.size },
    };
  }

  snapshot(session: EmulatedSession): SessionSnapshot {
    return {
      id: session.id,
      image: session.image,
      tag: session.tag,
      location: session.location,
      host: session.host,
      ports: session.ports,
      status: this.statusOf(session),
      created: session.created,
      stoppedAt: session.stoppedAt,
      expiresAt: session.expiresAt,
      labels: session.labels,
      players: [...session.players],
      externalId: session.externalId,
    };
  }
}
