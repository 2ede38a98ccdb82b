/**
 * In-memory SessionStore and active-sessions index (projected as DynamoDB's is) for the placement and reaper unit tests.
 * It behaves as the DynamoDB adapters do (the contract suite in `test/session-store/` runs
 * against both): conditional create, conditional whole-record replace on state + version,
 * copies in and out, and only records carrying `activeShard` listed as active. On top, it
 * fails loudly on writes the core must never make (an illegal transition, a version that
 * does not grow by one, a changed session id), and faults can be injected once per step,
 * before or after the write lands, to simulate a crash there.
 */

import { AlreadyClaimedError, StateConflictError } from '../../lambdas/core/errors.ts';
import type { SessionStore } from '../../lambdas/core/ports.ts';
import { ActiveEntry, type ActiveIndex } from '../../lambdas/core/reaper/active-entry.ts';
import { canTransition, SessionRecord, type SessionState } from '../../lambdas/core/session-record.ts';
import { activeShards } from '../../lambdas/shared/sessions-table.ts';

/**
 * A write named by what it does, so tests can crash "after markReady" without counting
 * writes: placement's claim, attempt, ready, published and failed; a backfill's assignment
 * (backfill, on READY); the reaper's track (player tracking on READY), ending (ENDING and its progress) and ended.
 */
export type StoreStep =
  | 'get'
  | 'claim'
  | 'attempt'
  | 'ready'
  | 'published'
  | 'failed'
  | 'backfill'
  | 'track'
  | 'ending'
  | 'ended';

interface Fault {
  readonly step: StoreStep;
  readonly when: 'before' | 'after';
  readonly error: Error;
}

/**
 * The states a match's first record may have: placement's claim (PLACING, or FAILED when
 * nothing may host it), the reaper's tombstone for a MatchEnded that came first (FAILED) and
 * its record of an orphan session (ENDING).
 */
const CLAIMABLE: ReadonlySet<SessionState> = new Set(['PLACING', 'FAILED', 'ENDING']);

function stepOf(from: SessionState, current: SessionRecord | undefined, next: SessionRecord): StoreStep {
  switch (next.state) {
    case 'PLACING':
      return 'attempt';
    case 'READY':
      if (from !== 'READY') return 'ready';
      if (next.publishedAt !== current?.publishedAt) return 'published';
      return (next.backfills?.length ?? 0) !== (current?.backfills?.length ?? 0) ||
        next.backfills?.at(-1)?.backfillId !== current?.backfills?.at(-1)?.backfillId
        ? 'backfill'
        : 'track';
    case 'FAILED':
      return from === 'FAILED' ? 'published' : 'failed';
    case 'ENDING':
      return 'ending';
    case 'ENDED':
      return 'ended';
  }
}

export class InMemorySessionStore implements SessionStore, ActiveIndex {
  readonly #items = new Map<string, SessionRecord>();
  /** The shards the index is read over, as `DynamoActiveSessions` reads them; undefined: all. */
  readonly #shards: ReadonlySet<string> | undefined;
  readonly #faults: Fault[] = [];
  /** Every successful write, in order, as `step:state@version`. */
  readonly writes: string[] = [];
  /** Runs before each transition, after any injected fault; throw to simulate a race or an outage. */
  beforeTransition: (next: SessionRecord) => void = () => {};

  /** `activeShards`: read the index over shards `0 … activeShards - 1` only, as DynamoDB is. */
  constructor(options: { readonly activeShards?: number } = {}) {
    this.#shards =
      options.activeShards === undefined ? undefined : new Set(activeShards(options.activeShards));
  }

  /** Throw once at `step`; `after` means the write lands and then the caller dies. */
  failOnce(
    step: StoreStep,
    when: 'before' | 'after' = 'after',
    error = new Error(`injected crash at ${step}`),
  ): void {
    this.#faults.push({ step, when, error });
  }

  /** A copy of the stored record, for assertions; undefined when there is none. */
  peek(matchId: string): SessionRecord | undefined {
    const item = this.#items.get(matchId);
    return item === undefined ? undefined : structuredClone(item);
  }

  /** A copy of the stored record, for assertions on a record that must exist. */
  stored(matchId: string): SessionRecord {
    const item = this.peek(matchId);
    if (item === undefined) throw new Error(`no stored record for match ${matchId}`);
    return item;
  }

  /** Seed a record directly (e.g. a READY record from an earlier run); no write is logged. */
  seed(record: SessionRecord): void {
    this.#items.set(record.matchId, SessionRecord.parse(structuredClone(record)));
  }

  #fault(step: StoreStep, when: 'before' | 'after'): void {
    const index = this.#faults.findIndex((f) => f.step === step && f.when === when);
    if (index < 0) return;
    const [fault] = this.#faults.splice(index, 1);
    if (fault) throw fault.error;
  }

  async get(matchId: string): Promise<SessionRecord | undefined> {
    this.#fault('get', 'before');
    return this.peek(matchId);
  }

  /** As the DynamoDB index answers: each active record cut down to its {@link ActiveEntry}. */
  async listActive(): Promise<ActiveEntry[]> {
    return [...this.#items.values()]
      .filter((r) => r.activeShard !== undefined && (this.#shards?.has(r.activeShard) ?? true))
      .map((r) => ActiveEntry.parse(r));
  }

  async readShard(shard: string, onPage: (entries: readonly ActiveEntry[]) => void): Promise<void> {
    onPage([...this.#items.values()].filter((r) => r.activeShard === shard).map((r) => ActiveEntry.parse(r)));
  }

  async readActive(onPage: (entries: readonly ActiveEntry[]) => void): Promise<void> {
    // Pages of three, so a core that kept only the last page would miss records.
    const entries = await this.listActive();
    for (let i = 0; i < entries.length; i += 3) onPage(entries.slice(i, i + 3));
  }

  async claim(record: SessionRecord): Promise<void> {
    this.#fault('claim', 'before');
    if (this.#items.has(record.matchId)) {
      throw new AlreadyClaimedError(`match ${record.matchId} is already claimed`, {
        matchId: record.matchId,
        sessionId: record.sessionId,
      });
    }
    const item = SessionRecord.parse(structuredClone(record));
    // These would be bugs in the core, not races: fail loudly.
    if (!CLAIMABLE.has(item.state)) throw new TypeError(`a claim cannot create a ${item.state} record`);
    this.#items.set(item.matchId, item);
    this.writes.push(`claim:${item.state}@${item.version}`);
    this.#fault('claim', 'after');
  }

  async transition(next: SessionRecord, expected: { state: SessionState; version: number }): Promise<void> {
    const step = stepOf(expected.state, this.#items.get(next.matchId), next);
    this.#fault(step, 'before');
    this.beforeTransition(next);
    const current = this.#items.get(next.matchId);
    if (!current || current.state !== expected.state || current.version !== expected.version) {
      throw new StateConflictError(
        `record of match ${next.matchId} is no longer ${expected.state} v${expected.version}: found ${current ? `${current.state} v${current.version}` : 'nothing'}`,
        { matchId: next.matchId, sessionId: next.sessionId },
      );
    }
    // These would be bugs in the core, not races: fail loudly.
    if (!canTransition(current.state, next.state))
      throw new TypeError(`illegal ${current.state} → ${next.state}`);
    if (next.version !== current.version + 1)
      throw new TypeError(`version must grow by one, got ${next.version}`);
    if (next.sessionId !== current.sessionId) throw new TypeError('sessionId must never change');
    const item = SessionRecord.parse(structuredClone(next));
    this.#items.set(item.matchId, item);
    this.writes.push(`${step}:${item.state}@${item.version}`);
    this.#fault(step, 'after');
  }
}
