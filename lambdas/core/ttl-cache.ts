/**
 * A small TTL cache with an injected clock. It lives in module scope of a warm Lambda, so it
 * is bounded in size and never trusts an entry past its TTL; failed loads are not cached.
 */
import type { Clock } from './ports.ts';

export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  /** Loads under way: concurrent misses of one key share a single load. */
  readonly #loading = new Map<K, Promise<V>>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(props: { clock: Clock; ttlMs: number; maxEntries?: number }) {
    this.#clock = props.clock;
    this.#ttlMs = props.ttlMs;
    this.#maxEntries = props.maxEntries ?? 1000;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    // Map keeps insertion order, so the first key is the oldest write: evict it.
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.#clock.now() + this.#ttlMs });
  }

  /**
   * The cached value, or `load()`'s, cached. Concurrent callers missing the same key wait on
   * one load (ten placements of a batch ask Gameye once). A rejected load is not cached.
   */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const loading = load().then(
      (value) => {
        this.#loading.delete(key);
        this.set(key, value);
        return value;
      },
      (error: unknown) => {
        this.#loading.delete(key);
        throw error;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }
}

/**
 * Regions that answered 420 recently. Per Lambda instance and best effort: another instance
 * may still try the region, which costs one more 420, never a wrong placement.
 */
export class RegionCooldown {
  readonly #until = new Map<string, number>();
  readonly #clock: Clock;
  readonly #cooldownMs: number;

  constructor(props: { clock: Clock; cooldownMs: number }) {
    this.#clock = props.clock;
    this.#cooldownMs = props.cooldownMs;
  }

  cool(region: string): void {
    this.#until.set(region, this.#clock.now() + this.#cooldownMs);
  }

  /** Regions still cooling down now. */
  active(): Set<string> {
    const now = this.#clock.now();
    const out = new Set<string>();
    for (const [region, until] of this.#until) {
      if (until > now) out.add(region);
      else this.#until.delete(region);
    }
    return out;
  }
}
