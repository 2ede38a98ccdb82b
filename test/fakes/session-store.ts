/**
 * In-memory SessionStore that honours the port contract exactly: conditional create,
 * conditional replace on state + version, the transition rules, and schema validation of
 * every item written (as the DynamoDB adapter validates items read back). Faults can be
 * injected once per step, before or after the write lands, to simulate a crash there.
 */
import { AlreadyClaimedError, StateConflictError } from '../../lambdas/core/errors.ts';
import type { SessionStore } from '../../lambdas/core/ports.ts';
import { canTransition, SessionRecord, type SessionState } from '../../lambdas/core/session-record.ts';

/** A write named by what it does, so tests can crash "after markReady" without counting writes. */
export type StoreStep = 'get' | 'claim' | 'attempt' | 'ready' | 'published' | 'failed';

interface Fault {
  readonly step: StoreStep;
  readonly when: 'before' | 'after';
  readonly error: Error;
}

function stepOf(from: SessionState, to: SessionState): StoreStep {
  if (to === 'PLACING') return 'attempt';
  if (to === 'READY') return from === 'READY' ? 'published' : 'ready';
  if (to === 'FAILED') return from === 'FAILED' ? 'published' : 'failed';
  return 'attempt';
}

export class InMemorySessionStore implements SessionStore {
  readonly #items = new Map<string, SessionRecord>();
  readonly #faults: Fault[] = [];
  /** Every successful write, in order, as `step:state@version`. */
  readonly writes: string[] = [];

  /** Throw once at `step`; `after` means the write lands and then the caller dies. */
  failOnce(
    step: StoreStep,
    when: 'before' | 'after' = 'after',
    error = new Error(`injected crash at ${step}`),
  ): void {
    this.#faults.push({ step, when, error });
  }

  /** A copy of the stored record, for assertions. */
  peek(matchId: string): SessionRecord | undefined {
    const item = this.#items.get(matchId);
    return item === undefined ? undefined : structuredClone(item);
  }

  /** Seed a record directly (e.g. a READY record from an earlier run). */
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

  async claim(record: SessionRecord): Promise<void> {
    this.#fault('claim', 'before');
    if (this.#items.has(record.matchId)) {
      throw new AlreadyClaimedError(`match ${record.matchId} already claimed`, { matchId: record.matchId });
    }
    const item = SessionRecord.parse(structuredClone(record));
    // A claim creates the first record of a match: PLACING (usually with its first attempt
    // pending) or, when no region may host it, FAILED straight away.
    if (item.state !== 'PLACING' && item.state !== 'FAILED')
      throw new TypeError(`claim must create a PLACING or FAILED record, not ${item.state}`);
    this.#items.set(item.matchId, item);
    this.writes.push(`claim:${item.state}@${item.version}`);
    this.#fault('claim', 'after');
  }

  async transition(next: SessionRecord, expected: { state: SessionState; version: number }): Promise<void> {
    const step = stepOf(expected.state, next.state);
    this.#fault(step, 'before');
    const current = this.#items.get(next.matchId);
    if (!current || current.state !== expected.state || current.version !== expected.version) {
      throw new StateConflictError(
        `expected ${expected.state}@${expected.version}, found ${current ? `${current.state}@${current.version}` : 'nothing'}`,
        { matchId: next.matchId },
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
