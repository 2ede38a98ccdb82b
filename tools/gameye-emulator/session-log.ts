/**
 * Plausible, deterministic game-server output per session: boot lines, player join/leave
 * lines and heartbeat ticks. Lines carry the container's uptime rather than a wall-clock
 * date, so the same sequence of calls (under the virtual clock) yields the same text.
 */
import type { ServerResponse } from 'node:http';
import { hashSeed, seededRandom } from './rng.ts';

const MAPS = ['de_arena', 'dm_foundry', 'ctf_harbor', 'koth_summit', 'tdm_canyon'];
/** Catch-up after a big clock jump writes at most this many heartbeats, then a gap note. */
const MAX_CATCH_UP_TICKS = 200;

function uptime(ms: number): string {
  const clamped = Math.max(0, Math.floor(ms));
  const h = Math.floor(clamped / 3_600_000);
  const m = Math.floor(clamped / 60_000) % 60;
  const s = Math.floor(clamped / 1000) % 60;
  const milli = clamped % 1000;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(milli, 3)}`;
}

/** What the log needs to know about its session. */
export interface SessionLogSource {
  readonly id: string;
  readonly image: string;
  readonly tag: string;
  readonly created: number;
  readonly portMap: Readonly<Record<string, number>>;
  readonly startupDelayMs: number;
  readonly intervalMs: number;
}

/**
 * The append-only stdout of one session's container. Boot lines are written on first use,
 * so a start that nobody reads the logs of costs no string building.
 */
export class SessionLog {
  #lines: string[] | undefined;
  #ticks = 0;
  #ended = false;
  /** Uptime of the last line, so lines never go back in time (boot lines are written ahead). */
  #lastUptime = 0;
  readonly #source: SessionLogSource;
  readonly #listeners = new Set<() => void>();
  #fps = 60;

  constructor(source: SessionLogSource) {
    this.#source = source;
  }

  /** Every line so far. */
  get lines(): readonly string[] {
    return this.#lines ?? this.#boot();
  }

  #boot(): string[] {
    const lines: string[] = [];
    this.#lines = lines;
    const source = this.#source;
    const random = seededRandom(hashSeed(source.id, 'log'));
    const map = MAPS[Math.floor(random() * MAPS.length)] ?? 'de_arena';
    this.#fps = 58 + Math.floor(random() * 5);
    const build = Math.floor(random() * 0xffffff)
      .toString(16)
      .padStart(6, '0');
    const step = source.startupDelayMs / 4;
    const ports = Object.entries(source.portMap)
      .map(([container, host]) => `${container} -> ${host}`)
      .join(', ');
    this.#push(0, `${source.image} ${source.tag} (build ${build}) starting, session ${source.id}`);
    this.#push(step, `loading map ${map}`);
    this.#push(step * 2, `listening on ${ports}`);
    this.#push(step * 3, `tick rate ${this.#fps} Hz`);
    this.#push(source.startupDelayMs, 'server ready, waiting for players');
    return lines;
  }

  get ended(): boolean {
    return this.#ended;
  }

  #push(atUptime: number, text: string): void {
    const lines = this.#lines ?? this.#boot();
    this.#lastUptime = Math.max(this.#lastUptime, atUptime);
    lines.push(`[${uptime(this.#lastUptime)}] ${text}`);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Append the heartbeats due by virtual time `now` (each reports the current player count). */
  sync(now: number, playerCount: number): void {
    if (this.#ended) return;
    if (this.#lines === undefined) this.#boot();
    const { created, startupDelayMs, intervalMs } = this.#source;
    const due = Math.floor((now - created - startupDelayMs) / intervalMs);
    if (due <= this.#ticks) return;
    if (due - this.#ticks > MAX_CATCH_UP_TICKS) {
      const skipped = due - this.#ticks - MAX_CATCH_UP_TICKS;
      this.#ticks += skipped;
      this.#push(startupDelayMs + this.#ticks * intervalMs, `(${skipped} heartbeats not shown)`);
    }
    while (this.#ticks < due) {
      this.#ticks++;
      this.#push(
        startupDelayMs + this.#ticks * intervalMs,
        `heartbeat ${this.#ticks}: players=${playerCount} fps=${this.#fps}`,
      );
    }
    this.#notify();
  }

  /** Append an event line at virtual time `now` (heartbeats before it are written first). */
  event(now: number, playerCount: number, text: string): void {
    if (this.#ended) return;
    this.sync(now, playerCount);
    this.#push(now - this.#source.created, text);
    this.#notify();
  }

  /** The container stopped: last lines, then every follower's stream ends. */
  end(now: number, playerCount: number, status: string): void {
    if (this.#ended) return;
    this.sync(now, playerCount);
    this.#push(now - this.#source.created, `received SIGTERM, shutting down (status ${status})`);
    this.#push(now - this.#source.created, 'bye');
    this.#ended = true;
    this.#notify();
  }

  /**
   * The emulator forgets the session (reset, shutdown): every follower's stream ends, and no
   * line is written, since nobody can read this log again. Ending it as a stop would first
   * write the heartbeats due since its last line, for every session at once: at 100,000
   * sessions a shutdown would build millions of lines only to drop them.
   */
  discard(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#notify();
  }

  /** Called whenever lines are appended or the log ends; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Options of {@link streamLog}. */
export interface StreamLogOptions {
  readonly log: SessionLog;
  /** The `Content-Type` to send. */
  readonly contentType: string;
  readonly follow: boolean;
  readonly intervalMs: number;
  /** Bring the log up to date (heartbeats) before each push. */
  readonly sync: () => void;
  /** Register cleanup so closing the emulator ends open follow streams. */
  readonly track: (stop: () => void) => () => void;
}

/**
 * Write the log as text. With `follow`, keep the response open and push new lines every
 * `intervalMs` until the session stops or the client goes away, then release the timer.
 */
export function streamLog(res: ServerResponse, options: StreamLogOptions): void {
  const { log, follow } = options;
  options.sync();
  res.writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-store' });
  let written = 0;
  const flush = () => {
    if (written >= log.lines.length) return;
    res.write(`${log.lines.slice(written).join('\n')}\n`);
    written = log.lines.length;
  };
  flush();
  if (!follow || log.ended) {
    res.end();
    return;
  }
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    unsubscribe();
    untrack();
    if (!res.writableEnded) res.end();
  };
  const unsubscribe = log.subscribe(() => {
    flush();
    if (log.ended) finish();
  });
  const timer = setInterval(options.sync, options.intervalMs);
  timer.unref();
  const untrack = options.track(finish);
  // The client hung up: nothing more to write, release the timer and the subscription.
  res.on('close', finish);
}
