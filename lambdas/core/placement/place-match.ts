/**
 * Placement: one MatchFound event in, exactly one Gameye session out (DESIGN.md invariants 1
 * and 2). The flow, and what makes each step safe to repeat:
 *
 * 1. Parse the body. An invalid body is permanent: answered with SessionFailed (when its match
 *    id can be salvaged), nothing stored.
 * 2. Session id = UUIDv5(matchId, namespace): Gameye refuses a second POST with it (409).
 * 3. Read the record. READY or FAILED: the delivery is a duplicate; publish the outcome again
 *    only if it was never recorded as published. ENDING/ENDED: duplicate, nothing to do.
 *    PLACING: a previous delivery crashed or failed transiently; resume it.
 * 4. Resolve the profile and the event's overrides. A disallowed override is permanent.
 * 5. Claim: conditional create of a PLACING record. Losing the race is transient.
 * 6. Choose regions (cached availability and tags, cooled-down regions skipped).
 * 7. For each region in rank order: record a pending attempt, then POST /session.
 *    201: READY. 409: the session exists (ours, same id): describe and adopt. 420: cool the
 *    region, try the next. Retryable errors: transient. Others: FAILED.
 * 8. READY → publish SessionReady → record publishedAt; FAILED likewise with SessionFailed.
 *
 * A crash between any two steps leaves a record the redelivery resumes from: a pending attempt
 * is re-POSTed first with the same id, so the worst case is a 409 and an adoption.
 *
 * Rejections before the claim (invalid body, unknown profile, disallowed override) write no
 * record: nothing was started, so there is nothing to reap, and a corrected event with the
 * same match id can still be placed.
 */
import type { BridgeConfig } from '../config.ts';
import {
  AlreadyClaimedError,
  GameyeCallError,
  PermanentPlacementError,
  type PermanentReason,
  RETRYABLE_FAILURES,
  StateConflictError,
  TransientPlacementError,
} from '../errors.ts';
import { type SessionFailedV1, sessionFailedOf, sessionReadyOf } from '../events.ts';
import { type MatchFoundV1, parseMatchFound } from '../match-event.ts';
import type { Clock, EventPublisher, GameyePort, SessionStore, StartSessionRequest } from '../ports.ts';
import { rankingOf } from '../ranking.ts';
import { sessionIdFor } from '../session-id.ts';
import {
  type Attempt,
  newPlacingRecord,
  pendingAttempt,
  type ServerPort,
  type SessionRecord,
  type SessionState,
  settleAttempt,
  toFailed,
  toPublished,
  toReady,
  toRetry,
  withAttempt,
  withSettledAttempts,
} from '../session-record.ts';
import type { PlacementState } from './placement-state.ts';
import { resolvePlan } from './plan.ts';
import { chooseRegions, locationsConsidered, type RegionChoice } from './region-choice.ts';

export interface PlacementDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly store: SessionStore;
  readonly gameye: GameyePort;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly state: PlacementState;
}

export interface PlacementOptions {
  /** Lambda's `context.getRemainingTimeInMillis`: no region is tried without time to finish. */
  readonly remainingTimeMs?: () => number;
  /**
   * SQS will not deliver this message again (its receive count reached the queue's
   * `maxReceiveCount`). A transient failure then becomes final: the match is adopted if a
   * session of it runs, else recorded FAILED (`retries-exhausted` or `unauthorized`) and
   * announced, so the message can be parked with its reason instead of vanishing into the DLQ
   * by redrive with none.
   */
  readonly finalDelivery?: boolean;
}

/**
 * What became of one delivery. Transient failures are not an outcome: they throw
 * {@link TransientPlacementError} so the handler fails just that SQS record.
 */
export type PlacementOutcome =
  | {
      readonly kind: 'placed';
      readonly matchId: string;
      readonly sessionId: string;
      readonly region: string;
      readonly via: 'started' | 'adopted';
      /** Rank of the region in the choice; null when adopted from elsewhere. */
      readonly chosenRank: number | null;
    }
  | {
      /** An earlier delivery already placed this match; at most its event was published again. */
      readonly kind: 'duplicate';
      readonly matchId: string;
      readonly sessionId: string;
      readonly state: SessionState;
      readonly republished: boolean;
    }
  | {
      /** Permanent: SessionFailed was published (when the match id is known); send to the DLQ. */
      readonly kind: 'failed';
      readonly matchId: string | undefined;
      readonly sessionId: string | undefined;
      readonly reason: PermanentReason;
      readonly message: string;
      readonly identifier: string | undefined;
      /** Whether a FAILED record holds it (false for rejections before the claim). */
      readonly recorded: boolean;
      /** An earlier delivery already failed this match; this one only repeats the answer. */
      readonly repeated?: boolean;
    };

/** Place one match. Throws only {@link TransientPlacementError}. */
export async function placeMatch(
  body: string,
  deps: PlacementDeps,
  options: PlacementOptions = {},
): Promise<PlacementOutcome> {
  const context: { matchId?: string; sessionId?: string } = {};
  let transient: TransientPlacementError;
  try {
    return await new Placement(deps, options, context).run(body);
  } catch (error) {
    transient = asTransient(error, context);
  }
  // Another delivery of this match is at work right now: it owns the outcome, not this one.
  if (!options.finalDelivery || transient.reason === 'concurrent-update') throw transient;
  try {
    return await new Placement(deps, {}, context).giveUp(body, transient);
  } catch (error) {
    // Could not even record the failure (DynamoDB down): SQS's redrive keeps the message.
    throw asTransient(error, context);
  }
}

function asTransient(
  error: unknown,
  context: { matchId?: string; sessionId?: string },
): TransientPlacementError {
  if (error instanceof TransientPlacementError) return error;
  const ctx = { ...context, cause: error };
  if (error instanceof AlreadyClaimedError || error instanceof StateConflictError) {
    return new TransientPlacementError(
      'concurrent-update',
      `another delivery changed the record: ${error.message}`,
      ctx,
    );
  }
  if (error instanceof GameyeCallError) {
    return new TransientPlacementError(
      'gameye-unavailable',
      `Gameye answered ${error.status}: ${error.message}`,
      {
        ...ctx,
        identifier: error.identifier,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransientPlacementError('dependency-error', `placement interrupted: ${message}`, ctx);
}

/** Gameye statuses of a session that can no longer serve the match. */
const DEAD_STATUSES: ReadonlySet<string> = new Set(['exited', 'dead']);

function isAuthError(error: GameyeCallError): boolean {
  return error.status === 401 || error.status === 403;
}

/**
 * A refused token is the deployment's problem, not the match's: failing every match for good
 * would leave them all FAILED after the token is fixed. Retry instead; the last delivery
 * records `unauthorized` (a retryable failure) and the alarm on failures calls a human.
 */
function unauthorized(error: GameyeCallError, context: { matchId: string; sessionId: string }) {
  return new TransientPlacementError(
    'unauthorized',
    `Gameye refused the token (${error.status}): ${error.message}`,
    {
      ...context,
      identifier: error.identifier,
      cause: error,
    },
  );
}

function permanentFromGameye(error: GameyeCallError, context: { matchId: string; sessionId: string }) {
  const reason: PermanentReason =
    error.status === 402
      ? 'quota-exhausted'
      : error.status === 404
        ? 'unknown-image-or-location'
        : error.status === 401 || error.status === 403
          ? 'unauthorized'
          : 'rejected-by-gameye';
  const code = error.code === undefined ? '' : ` ${error.code}`;
  return new PermanentPlacementError(reason, `Gameye answered ${error.status}${code}: ${error.message}`, {
    ...context,
    identifier: error.identifier,
    cause: error,
  });
}

interface Started {
  readonly region: string;
  readonly host: string;
  readonly ports: readonly ServerPort[];
  readonly via: 'started' | 'adopted';
}

class Placement {
  readonly #deps: PlacementDeps;
  readonly #options: PlacementOptions;
  readonly #context: { matchId?: string; sessionId?: string };
  readonly #startedAt: number;
  /** The record as last stored or read; undefined while this delivery has not claimed it. */
  #persisted: SessionRecord | undefined;

  constructor(
    deps: PlacementDeps,
    options: PlacementOptions,
    context: { matchId?: string; sessionId?: string },
  ) {
    this.#deps = deps;
    this.#options = options;
    this.#context = context;
    this.#startedAt = deps.clock.now();
  }

  async run(body: string): Promise<PlacementOutcome> {
    const { config, store } = this.#deps;
    const parsed = parseMatchFound(body);
    if (!parsed.ok) {
      const matchId = parsed.error.matchId;
      return this.#reject(
        new PermanentPlacementError('invalid-event', parsed.error.message, {
          matchId,
          sessionId: matchId === undefined ? undefined : sessionIdFor(matchId, config.sessionNamespace),
          cause: parsed.error,
        }),
      );
    }
    const event = parsed.event;
    this.#context.matchId = event.matchId;
    this.#context.sessionId = sessionIdFor(event.matchId, config.sessionNamespace);

    try {
      // Claim first, read only when the claim finds a record: a first delivery (the common case)
      // then costs one conditional write instead of a read and a write.
      return await this.#resume(event, undefined, false);
    } catch (error) {
      if (!(error instanceof AlreadyClaimedError)) throw error;
      const existing = await store.get(event.matchId);
      if (!existing) throw error;
      this.#persisted = undefined;
      return this.#resume(event, existing, true);
    }
  }

  /**
   * Place the match from what is known of its record: `existing` when it was read (`read`),
   * nothing when this delivery tries to claim it first. The first write then claims it.
   */
  async #resume(
    event: MatchFoundV1,
    existing: SessionRecord | undefined,
    read: boolean,
  ): Promise<PlacementOutcome> {
    const { config, store } = this.#deps;
    if (existing?.state === 'FAILED' && existing.failure && RETRYABLE_FAILURES.has(existing.failure.reason)) {
      // Failed for reasons outside the match (Gameye was down, the token was wrong): try again.
      this.#persisted = existing;
      const retry = toRetry(existing, this.#deps.clock.now(), config.activeShards);
      await this.#write(retry);
      return this.#resume(event, retry, true);
    }
    if (existing && existing.state !== 'PLACING') {
      this.#persisted = existing;
      return this.#settled(existing);
    }
    // Resume with the stored id: if the namespace changed between deliveries, the record is the truth.
    const sessionId = existing?.sessionId ?? sessionIdFor(event.matchId, config.sessionNamespace);
    this.#context.sessionId = sessionId;
    this.#persisted = existing;

    let request: Omit<StartSessionRequest, 'location'>;
    try {
      request = resolvePlan(event, config, sessionId);
    } catch (error) {
      if (!(error instanceof PermanentPlacementError)) throw error;
      if (!read) {
        // Before rejecting, look: an earlier delivery may have placed this match already.
        const found = await store.get(event.matchId);
        if (found) return this.#resume(event, found, true);
      }
      return existing
        ? this.#fail(existing, error, undefined, pendingAttempt(existing))
        : this.#reject(error);
    }

    const record = existing ?? this.#newRecord(event, sessionId, request);
    return this.#place(record, event, request);
  }

  /** The PLACING record this delivery would claim for the match (not stored yet). */
  #newRecord(
    event: MatchFoundV1,
    sessionId: string,
    request: Omit<StartSessionRequest, 'location'>,
  ): SessionRecord {
    return newPlacingRecord({
      matchId: event.matchId,
      sessionId,
      profile: event.profile,
      image: request.image,
      imageVersion: request.version,
      players: event.players.map((p) => (p.team === undefined ? { id: p.id } : { id: p.id, team: p.team })),
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

  /**
   * The last delivery failed transiently: settle the match now. A session a pending attempt
   * may have started is looked up and adopted (`#fail` describes before failing); otherwise the
   * match is recorded FAILED with a retryable reason and SessionFailed is published.
   */
  async giveUp(body: string, error: TransientPlacementError): Promise<PlacementOutcome> {
    const { config, store } = this.#deps;
    const parsed = parseMatchFound(body);
    if (!parsed.ok) throw error; // cannot happen: an invalid body is never transient
    const event = parsed.event;
    const existing = await store.get(event.matchId);
    if (existing && existing.state !== 'PLACING') {
      this.#persisted = existing;
      return this.#settled(existing);
    }
    const sessionId = existing?.sessionId ?? sessionIdFor(event.matchId, config.sessionNamespace);
    const ids = { matchId: event.matchId, sessionId };
    const reason: PermanentReason = error.reason === 'unauthorized' ? 'unauthorized' : 'retries-exhausted';
    const failure = new PermanentPlacementError(reason, `gave up on the last delivery: ${error.message}`, {
      ...ids,
      identifier: error.identifier,
      cause: error,
    });
    this.#persisted = existing;
    if (existing) {
      try {
        return await this.#fail(existing, failure, undefined, pendingAttempt(existing));
      } catch (describeError) {
        if (!(describeError instanceof GameyeCallError)) throw describeError;
        // Gameye cannot even say whether the pending attempt started a session. Fail anyway
        // (a retryable reason), keeping the attempt pending: a redrive re-POSTs it first and
        // adopts on 409, and if nobody redrives, the reaper stops such a session as an orphan.
        return this.#fail(existing, failure, undefined, undefined);
      }
    }
    let request: Omit<StartSessionRequest, 'location'>;
    try {
      request = resolvePlan(event, config, sessionId);
    } catch (planError) {
      if (planError instanceof PermanentPlacementError) return this.#reject(planError);
      throw planError;
    }
    return this.#fail(this.#newRecord(event, sessionId, request), failure, undefined, undefined);
  }

  /** A delivery for a match already past PLACING. */
  async #settled(record: SessionRecord): Promise<PlacementOutcome> {
    const ids = { matchId: record.matchId, sessionId: record.sessionId };
    if (record.state === 'FAILED') {
      const failure = record.failure;
      if (record.publishedAt === undefined) await this.#publishAndRecord(record);
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
    const republish = record.state === 'READY' && record.publishedAt === undefined;
    if (republish) await this.#publishAndRecord(record);
    return { kind: 'duplicate', ...ids, state: record.state, republished: republish };
  }

  async #publishAndRecord(record: SessionRecord): Promise<SessionRecord> {
    const event = record.state === 'READY' ? sessionReadyOf(record) : sessionFailedOf(record);
    await this.#deps.publisher.publish(event);
    const published = toPublished(record, this.#deps.clock.now());
    await this.#write(published);
    return published;
  }

  async #choose(event: MatchFoundV1, request: Omit<StartSessionRequest, 'location'>): Promise<RegionChoice> {
    const { config, gameye, state } = this.#deps;
    const { image, version } = request;
    const available = new Set(await state.locations.getOrLoad(image, () => gameye.availableLocations(image)));
    const base = {
      players: event.players,
      aliases: config.regionAliases,
      available,
      coolingDown: state.cooldown.active(),
      capMs: config.latency.capMs,
      whenNoneMeetsCap: config.latency.whenNoneMeetsCap,
      preference: config.regionPreference,
    };
    if (version === undefined) return chooseRegions({ ...base, tagged: 'no-version-pinned' });
    const regions = locationsConsidered(base).filter((r) => available.has(r));
    const checked = await Promise.all(
      regions.map(async (region) => {
        const key = `${region}\n${image}\n${version}`;
        const exists = await state.tags.getOrLoad(key, () => gameye.tagExists(region, image, version));
        return exists ? [region] : [];
      }),
    );
    return chooseRegions({ ...base, tagged: new Set(checked.flat()) });
  }

  async #place(
    claimed: SessionRecord,
    event: MatchFoundV1,
    request: Omit<StartSessionRequest, 'location'>,
  ): Promise<PlacementOutcome> {
    const { config, gameye, clock, state } = this.#deps;
    const ids = { matchId: claimed.matchId, sessionId: claimed.sessionId };
    let record = claimed;
    // An attempt a previous delivery left unresolved: its POST may have landed.
    const resumed = pendingAttempt(record);

    let choice: RegionChoice;
    try {
      choice = await this.#choose(event, request);
    } catch (error) {
      if (error instanceof GameyeCallError && !error.retryable) {
        if (isAuthError(error)) throw unauthorized(error, ids);
        return this.#fail(record, permanentFromGameye(error, ids), undefined, resumed);
      }
      throw error;
    }

    const order = choice.ranked.map((c) => c.region).filter((r) => r !== resumed?.region);
    if (resumed) order.unshift(resumed.region);
    if (order.length === 0) {
      if (choice.dropped.some((d) => d.reason === 'cooling-down')) {
        throw new TransientPlacementError(
          'no-capacity',
          'every eligible region is cooling down after a 420',
          ids,
        );
      }
      const reason = choice.failure ?? 'no-eligible-region';
      const why = choice.dropped
        .map((d) => `${d.region} ${d.reason}${d.detail ? ` (${d.detail})` : ''}`)
        .join('; ');
      return this.#fail(
        record,
        new PermanentPlacementError(reason, `no region may host this match: ${why}`, ids),
        choice,
        resumed,
      );
    }

    const remaining = this.#options.remainingTimeMs;
    const deadline = Math.min(
      this.#startedAt + config.placementDeadlineMs,
      remaining ? clock.now() + remaining() : Number.POSITIVE_INFINITY,
    );
    let reusePending = resumed !== undefined;
    const full: string[] = [];
    for (const region of order) {
      if (deadline - clock.now() < config.attemptReserveMs) {
        await this.#saveSettled(record, full);
        throw new TransientPlacementError(
          'deadline',
          `placement deadline reached before trying ${region}${full.length ? ` (420 from ${full.join(', ')})` : ''}`,
          ids,
        );
      }
      if (!(reusePending && region === resumed?.region)) {
        const next = withAttempt(record, region, clock.now());
        await this.#write(next);
        record = next;
      }
      reusePending = false;
      try {
        const started = await gameye.startSession({ ...request, location: region });
        record = settleAttempt(record, 'started', { status: 201 });
        return this.#ready(
          record,
          { region, host: started.host, ports: started.ports, via: 'started' },
          choice,
        );
      } catch (error) {
        if (!(error instanceof GameyeCallError)) throw error;
        if (error.status === 409) {
          record = settleAttempt(record, 'adopted', { status: 409, identifier: error.identifier });
          return this.#adopt(record, choice);
        }
        if (error.status === 420) {
          state.cooldown.cool(region);
          record = settleAttempt(record, 'no-capacity', { status: 420, identifier: error.identifier });
          full.push(region);
          continue;
        }
        // Retryable: the attempt stays pending, so the retry re-POSTs here first.
        if (error.retryable) throw error;
        if (isAuthError(error)) throw unauthorized(error, ids);
        record = settleAttempt(record, 'failed', { status: error.status, identifier: error.identifier });
        return this.#fail(record, permanentFromGameye(error, ids), choice, resumed);
      }
    }
    await this.#saveSettled(record, full);
    throw new TransientPlacementError('no-capacity', `no capacity (420) in ${full.join(', ')}`, ids);
  }

  /**
   * Persist the 420s learnt in this invocation, so the retry does not take the last one for a
   * POST of unknown fate and re-POST there first. A 420 means Gameye started nothing.
   */
  async #saveSettled(record: SessionRecord, full: readonly string[]): Promise<void> {
    if (full.length === 0) return;
    if (this.#persisted === undefined) return; // nothing claimed yet: nothing to keep
    const saved = withSettledAttempts(record, this.#deps.clock.now());
    await this.#write(saved);
  }

  /** Gameye already has a session with our id: it is ours (the id is derived from the match). */
  async #adopt(record: SessionRecord, choice: RegionChoice): Promise<PlacementOutcome> {
    const ids = { matchId: record.matchId, sessionId: record.sessionId };
    const described = await this.#deps.gameye.describeSession(record.sessionId);
    if (!described) {
      throw new TransientPlacementError(
        'gameye-unavailable',
        'Gameye answered 409 but does not describe the session',
        ids,
      );
    }
    if (DEAD_STATUSES.has(described.status)) {
      const error = new PermanentPlacementError(
        'session-ended-before-ready',
        `session ${record.sessionId} is ${described.status} before it was handed to players`,
        ids,
      );
      return this.#fail(record, error, choice, undefined);
    }
    return this.#ready(
      record,
      { region: described.location, host: described.host, ports: described.ports, via: 'adopted' },
      choice,
    );
  }

  async #ready(record: SessionRecord, started: Started, choice: RegionChoice): Promise<PlacementOutcome> {
    const ranking = rankingOf(choice, started.region);
    const now = this.#deps.clock.now();
    const ready = toReady(record, { ...started, ranking }, now);
    // Publish, then record READY and published in one write. A crash in between leaves the
    // record PLACING with its attempt pending: the redelivery re-POSTs (409), adopts, and
    // publishes again. At least once, and one write fewer than recording READY first.
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
   * Record a permanent failure. If an earlier delivery left a POST whose fate is unknown, look
   * first: failing a match whose server is running would strand players and leak the session.
   */
  async #fail(
    record: SessionRecord,
    error: PermanentPlacementError,
    choice: RegionChoice | undefined,
    resumed: Attempt | undefined,
  ): Promise<PlacementOutcome> {
    if (resumed) {
      const described = await this.#deps.gameye.describeSession(record.sessionId);
      if (described && !DEAD_STATUSES.has(described.status)) {
        const adopted = settleAttempt(record, 'adopted');
        const started = { region: described.location, host: described.host, ports: described.ports };
        return this.#ready(adopted, { ...started, via: 'adopted' }, choice ?? emptyChoice);
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

  /** A rejection before any claim: publish SessionFailed when the match can be named. */
  async #reject(error: PermanentPlacementError): Promise<PlacementOutcome> {
    const { matchId, sessionId } = error;
    if (matchId !== undefined && sessionId !== undefined) {
      const event: SessionFailedV1 = {
        type: 'SessionFailed',
        version: 1,
        matchId,
        sessionId,
        reason: error.reason,
        message: error.message,
        identifier: null,
        ranking: null,
        failedAt: new Date(this.#deps.clock.now()).toISOString(),
      };
      await this.#deps.publisher.publish(event);
    }
    return {
      kind: 'failed',
      matchId,
      sessionId,
      reason: error.reason,
      message: error.message,
      identifier: undefined,
      recorded: false,
    };
  }
}

const emptyChoice: RegionChoice = {
  ranked: [],
  dropped: [],
  policy: 'preference',
  failure: 'no-eligible-region',
};
