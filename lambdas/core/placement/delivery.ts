/**
 * One delivery of one match: the record it knows, and the steps that carry out what
 * `policy.ts` decides (see `place-match.ts` for the whole flow and why each step is safe to
 * repeat).
 */
import {
  AlreadyClaimedError,
  GameyeCallError,
  PermanentPlacementError,
  TransientPlacementError,
} from '../errors.ts';
import { sessionFailedOf, sessionReadyOf } from '../events.ts';
import type { MatchFoundV1 } from '../match-event.ts';
import type { GameyePort, StartSessionRequest } from '../ports.ts';
import { rankingOf } from '../ranking.ts';
import { sessionIdFor } from '../session-id.ts';
import {
  type Attempt,
  newPlacingRecord,
  pendingAttempt,
  type ServerPort,
  type SessionRecord,
  settleAttempt,
  toFailed,
  toPublished,
  toReady,
  toRetry,
  withAttempt,
  withSettledAttempts,
} from '../session-record.ts';
import { chooseFor } from './choose-regions.ts';
import type { PlacementDeps, PlacementOptions, PlacementOutcome } from './place-match.ts';
import { resolvePlan } from './plan.ts';
import * as policy from './policy.ts';
import type { RegionChoice } from './region-choice.ts';
import { reject } from './reject.ts';

/** At most this many arrivals per delivery: each is a read, a lost claim or a retry's write. */
const MAX_ARRIVALS = 4;

interface Started {
  readonly region: string;
  readonly host: string;
  readonly ports: readonly ServerPort[];
  readonly via: 'started' | 'adopted';
}

type Plan =
  | { readonly ok: true; readonly request: Omit<StartSessionRequest, 'location'> }
  | {
      readonly ok: false;
      readonly error: PermanentPlacementError;
    };

/** One delivery of one match: the record it knows, and the steps that carry out the policy. */
export class Delivery {
  readonly ids: { matchId: string; sessionId: string };
  #match: MatchFoundV1;
  /** Published with SessionReady: the origin's notes, then what `prepare` noted. */
  #notes: readonly string[] | undefined;
  #prepared = false;
  readonly #deps: PlacementDeps;
  readonly #options: PlacementOptions;
  readonly #startedAt: number;
  /** The record as last stored or read; undefined while this delivery knows of none. */
  #persisted: SessionRecord | undefined;

  constructor(match: MatchFoundV1, deps: PlacementDeps, options: PlacementOptions) {
    this.#match = match;
    this.#notes = options.origin?.notes;
    this.#deps = deps;
    this.#options = options;
    this.#startedAt = deps.clock.now();
    this.ids = {
      matchId: match.matchId,
      sessionId: sessionIdFor(match.matchId, deps.config.sessionNamespace),
    };
  }

  async run(): Promise<PlacementOutcome> {
    let looked = false;
    for (let arrival = 0; arrival < MAX_ARRIVALS; arrival++) {
      const record = this.#persisted;
      // Resume with the stored id: if the namespace changed between deliveries, the record is the truth.
      this.ids.sessionId = record?.sessionId ?? this.ids.sessionId;
      const plan = this.#plan();
      const decision = policy.onArrival({
        record,
        looked,
        planError: plan.ok ? undefined : plan.error,
        costlyToPrepare: this.#options.prepare !== undefined && !this.#prepared,
      });
      switch (decision.do) {
        case 'look':
          this.#persisted = await this.#deps.store.get(this.#match.matchId);
          looked = true;
          continue;
        case 'reject':
          return reject((plan as Extract<Plan, { ok: false }>).error, this.#deps);
        case 'answer':
          return this.#answer(record as SessionRecord);
        case 'retry':
          // Failed for reasons outside the match (Gameye was down, the token was wrong): try again.
          await this.#write(
            toRetry(record as SessionRecord, this.#deps.clock.now(), this.#deps.config.activeShards),
          );
          continue;
        case 'fail-plan': {
          const placing = record as SessionRecord;
          const error = (plan as Extract<Plan, { ok: false }>).error;
          return this.#fail(placing, error, undefined, pendingAttempt(placing));
        }
        case 'place':
          await this.#prepare();
          try {
            return await this.#place(record, (plan as Extract<Plan, { ok: true }>).request);
          } catch (error) {
            // Another delivery claimed the match between our look and our claim: read and decide again.
            if (!(error instanceof AlreadyClaimedError)) throw error;
            this.#persisted = await this.#deps.store.get(this.#match.matchId);
            if (this.#persisted === undefined) throw error;
            looked = true;
          }
      }
    }
    throw new TransientPlacementError(
      'concurrent-update',
      'the record kept changing under this delivery',
      this.ids,
    );
  }

  /**
   * The last delivery failed for now: settle the match. A session a pending start may have
   * created is looked up and adopted (`#fail` describes before failing); otherwise the match
   * is recorded FAILED with a retryable reason and SessionFailed is published.
   */
  async giveUp(error: TransientPlacementError): Promise<PlacementOutcome> {
    const existing = await this.#deps.store.get(this.#match.matchId);
    this.#persisted = existing;
    if (existing && existing.state !== 'PLACING') return this.#answer(existing);
    this.ids.sessionId = existing?.sessionId ?? this.ids.sessionId;
    const failure = new PermanentPlacementError(
      policy.onGiveUp(error.reason),
      `gave up on the last delivery: ${error.message}`,
      {
        ...this.ids,
        identifier: error.identifier,
        cause: error,
      },
    );
    if (existing) {
      try {
        return await this.#fail(existing, failure, undefined, pendingAttempt(existing));
      } catch (describeError) {
        if (!(describeError instanceof GameyeCallError)) throw describeError;
        // Gameye cannot even say whether the pending start created a session. Fail anyway (a
        // retryable reason), keeping the attempt pending: a redrive starts it again first and
        // adopts what exists, and if nobody redrives, the reaper stops it as an orphan.
        return this.#fail(existing, failure, undefined, undefined);
      }
    }
    const plan = this.#plan();
    if (!plan.ok) return reject(plan.error, this.#deps);
    return this.#fail(this.#newRecord(plan.request), failure, undefined, undefined);
  }

  /** The match as `options.prepare` completes it, once per delivery. */
  async #prepare(): Promise<void> {
    const { prepare } = this.#options;
    if (prepare === undefined || this.#prepared) return;
    const prepared = await prepare(this.#match);
    this.#match = prepared.match;
    this.#notes = [...(this.#notes ?? []), ...prepared.notes];
    this.#prepared = true;
  }

  #plan(): Plan {
    try {
      return { ok: true, request: resolvePlan(this.#match, this.#deps.config, this.ids.sessionId) };
    } catch (error) {
      if (error instanceof PermanentPlacementError) return { ok: false, error };
      throw error;
    }
  }

  /** The PLACING record this delivery would claim for the match (not stored yet). */
  #newRecord(request: Omit<StartSessionRequest, 'location'>): SessionRecord {
    return newPlacingRecord({
      matchId: this.#match.matchId,
      sessionId: this.ids.sessionId,
      profile: this.#match.profile,
      image: request.image,
      imageVersion: request.version,
      players: this.#match.players.map((p) =>
        p.team === undefined ? { id: p.id } : { id: p.id, team: p.team },
      ),
      tickets: this.#options.origin?.tickets,
      activeShards: this.#deps.config.activeShards,
      now: this.#deps.clock.now(),
    });
  }

  /**
   * Persist `next`: a conditional create when nothing is stored yet (the claim), else a
   * conditional replace of the last record this delivery stored or read.
   */
  async #write(next: SessionRecord): Promise<void> {
    const previous = this.#persisted;
    if (previous === undefined) await this.#deps.store.claim(next);
    else await this.#deps.store.transition(next, { state: previous.state, version: previous.version });
    this.#persisted = next;
  }

  /** A delivery for a match already settled: publish its outcome again if that never got recorded. */
  async #answer(record: SessionRecord): Promise<PlacementOutcome> {
    const ids = { matchId: record.matchId, sessionId: record.sessionId };
    const republish = policy.needsRepublish(record);
    if (republish) await this.#publishAndRecord(record);
    if (record.state === 'FAILED') {
      const failure = record.failure;
      return {
        kind: 'failed',
        ...ids,
        reason: failure?.reason ?? 'invalid-event',
        message: failure?.message ?? '',
        identifier: failure?.identifier,
        recorded: true,
        repeated: true,
      };
    }
    return { kind: 'duplicate', ...ids, state: record.state, republished: republish };
  }

  async #publishAndRecord(record: SessionRecord): Promise<void> {
    const event = record.state === 'READY' ? sessionReadyOf(record) : sessionFailedOf(record);
    await this.#deps.publisher.publish(event);
    await this.#write(toPublished(record, this.#deps.clock.now()));
  }

  /** Claim (no record yet) or resume (PLACING) the placement, and try the regions in rank order. */
  async #place(
    known: SessionRecord | undefined,
    request: Omit<StartSessionRequest, 'location'>,
  ): Promise<PlacementOutcome> {
    const { config, gameye, clock, state } = this.#deps;
    let record = known ?? this.#newRecord(request);
    // An attempt an earlier delivery left unresolved: its start may have landed.
    const pending = pendingAttempt(record);

    let choice: RegionChoice;
    try {
      choice = await chooseFor(this.#match, request, this.#deps);
    } catch (error) {
      if (!(error instanceof GameyeCallError)) throw error;
      const decision = policy.onRegionsUnknown(error);
      if (decision.do === 'wait') throw this.#transient(decision, error);
      return this.#fail(record, this.#permanent(decision, error), undefined, pending);
    }

    const regions = policy.onRegions(choice, pending);
    if (regions.do === 'wait') throw this.#transient(regions);
    if (regions.do === 'fail') return this.#fail(record, this.#permanent(regions), choice, pending);

    const remaining = this.#options.remainingTimeMs;
    const deadline = Math.min(
      this.#startedAt + config.placementDeadlineMs,
      remaining ? clock.now() + remaining() : Number.POSITIVE_INFINITY,
    );
    let reusePending = pending !== undefined;
    const full: string[] = [];
    for (const region of regions.order) {
      if (!policy.hasTimeFor(clock.now(), deadline, config.attemptReserveMs)) {
        await this.#saveSettled(record, full);
        const tried = full.length ? ` (no capacity in ${full.join(', ')})` : '';
        throw new TransientPlacementError(
          'deadline',
          `placement deadline reached before trying ${region}${tried}`,
          this.ids,
        );
      }
      if (!(reusePending && region === pending?.region)) {
        const next = withAttempt(record, region, clock.now());
        await this.#write(next);
        record = next;
      }
      reusePending = false;
      let started: Awaited<ReturnType<GameyePort['startSession']>> | undefined;
      let failure: GameyeCallError | undefined;
      try {
        started = await gameye.startSession({ ...request, location: region });
      } catch (error) {
        if (!(error instanceof GameyeCallError)) throw error;
        failure = error;
      }
      const decision = policy.onStart(failure);
      const identifier = failure?.identifier;
      switch (decision.do) {
        case 'ready':
          record = settleAttempt(record, 'started');
          return this.#ready(
            record,
            { region, ...(started as NonNullable<typeof started>), via: 'started' },
            choice,
          );
        case 'adopt':
          return this.#adopt(settleAttempt(record, 'adopted', identifier), choice);
        case 'next-region':
          state.cooldown.cool(region);
          record = settleAttempt(record, 'no-capacity', identifier);
          full.push(region);
          continue;
        case 'wait':
          // The start stays pending, so the next delivery starts it again here first.
          throw this.#transient(decision, failure);
        case 'fail':
          record = settleAttempt(record, 'failed', identifier);
          return this.#fail(record, this.#permanent(decision, failure), choice, pending);
      }
    }
    await this.#saveSettled(record, full);
    throw new TransientPlacementError('no-capacity', `no capacity in ${full.join(', ')}`, this.ids);
  }

  /**
   * Persist the "no capacity" answers learnt in this delivery, so the next one does not take
   * the last for a start of unknown fate and start it there again first. "No capacity" means
   * Gameye started nothing.
   */
  async #saveSettled(record: SessionRecord, full: readonly string[]): Promise<void> {
    if (full.length === 0 || this.#persisted === undefined) return;
    await this.#write(withSettledAttempts(record, this.#deps.clock.now()));
  }

  /** Gameye has a session with our id already: it is ours (the id is derived from the match). */
  async #adopt(record: SessionRecord, choice: RegionChoice): Promise<PlacementOutcome> {
    const decision = policy.onDescribed(
      await this.#deps.gameye.describeSession(record.sessionId),
      record.sessionId,
    );
    if (decision.do === 'wait') throw this.#transient(decision);
    if (decision.do === 'fail') return this.#fail(record, this.#permanent(decision), choice, undefined);
    const { location, host, ports } = decision.session;
    return this.#ready(record, { region: location, host, ports, via: 'adopted' }, choice);
  }

  async #ready(record: SessionRecord, started: Started, choice: RegionChoice): Promise<PlacementOutcome> {
    const ranking = rankingOf(choice, started.region);
    const now = this.#deps.clock.now();
    const ready = toReady(record, { ...started, ranking, notes: this.#notes }, now);
    // Publish, then record READY and published in one write. A crash in between leaves the
    // record PLACING with its attempt pending: the redelivery starts it again, adopts what
    // exists, and publishes again. At least once, and one write fewer than recording READY first.
    await this.#deps.publisher.publish(sessionReadyOf(ready));
    await this.#write({ ...ready, publishedAt: new Date(now).toISOString() });
    return {
      kind: 'placed',
      matchId: record.matchId,
      sessionId: record.sessionId,
      region: started.region,
      via: started.via,
      chosenRank: ranking.chosenRank,
    };
  }

  /**
   * Record a permanent failure and announce it. When an earlier delivery left a start pending
   * (`earlierStart`), its session is looked up first: one that runs is adopted instead.
   */
  async #fail(
    record: SessionRecord,
    error: PermanentPlacementError,
    choice: RegionChoice | undefined,
    earlierStart: Attempt | undefined,
  ): Promise<PlacementOutcome> {
    if (earlierStart !== undefined) {
      const described = await this.#deps.gameye.describeSession(record.sessionId);
      if (described !== undefined && policy.adoptsInsteadOfFailing(described)) {
        const where = { region: described.location, host: described.host, ports: described.ports };
        return this.#ready(
          settleAttempt(record, 'adopted'),
          { ...where, via: 'adopted' },
          choice ?? emptyChoice,
        );
      }
    }
    const failure = {
      reason: error.reason,
      message: error.message,
      ...(error.identifier === undefined ? {} : { identifier: error.identifier }),
    };
    const now = this.#deps.clock.now();
    const ranking = choice ? rankingOf(choice, undefined) : undefined;
    const failed = toFailed(record, failure, ranking, now, this.#deps.config.retentionDays);
    await this.#write(failed);
    await this.#publishAndRecord(failed);
    return {
      kind: 'failed',
      matchId: record.matchId,
      sessionId: record.sessionId,
      reason: error.reason,
      message: error.message,
      identifier: error.identifier,
      recorded: true,
    };
  }

  #transient(decision: policy.Wait, cause?: GameyeCallError): TransientPlacementError {
    return new TransientPlacementError(decision.reason, decision.message, {
      ...this.ids,
      identifier: cause?.identifier,
      cause,
    });
  }

  #permanent(decision: policy.Fail, cause?: GameyeCallError): PermanentPlacementError {
    return new PermanentPlacementError(decision.reason, decision.message, {
      ...this.ids,
      identifier: cause?.identifier,
      cause,
    });
  }
}

const emptyChoice: RegionChoice = {
  ranked: [],
  dropped: [],
  policy: 'preference',
  failure: 'no-eligible-region',
};
