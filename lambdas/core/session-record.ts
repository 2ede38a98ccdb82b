/**
 * The session record: one item per match, keyed by `matchId`, and the rules for changing it.
 *
 * Every change is a whole new record computed here by a pure function, written by the store
 * only if the stored item still has the state and `version` the change started from
 * (optimistic concurrency). The store adapter therefore needs one conditional-write shape,
 * and the rules live in one place: {@link TRANSITIONS}.
 *
 * Crash recovery: before each `POST /session` the core appends a `pending` attempt naming the
 * region. A redelivery that finds a PLACING record with a pending attempt re-POSTs the same
 * session id to that region first; Gameye answers 201 (the first call never landed) or 409
 * (it did: describe and adopt). Either way, never a second session.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ACTIVE_SHARD_PREFIX, activeShardName } from '../shared/sessions-table.ts';
import { boundedText } from './bounded-text.ts';
import {
  MAX_FAILURE_MESSAGE_CHARS,
  PERMANENT_REASONS,
  RETRYABLE_FAILURES,
  StateConflictError,
} from './errors.ts';
import { MAX_NOTE_CHARS, MAX_NOTES } from './formats/translation.ts';
import { Ranking } from './ranking.ts';
import { STOP_REASONS } from './stop-reasons.ts';

export const SessionState = z.enum(['PLACING', 'READY', 'ENDING', 'ENDED', 'FAILED']);
export type SessionState = z.infer<typeof SessionState>;

/** States in which a Gameye session may be running: these carry `activeShard`. */
export const ACTIVE_STATES: ReadonlySet<SessionState> = new Set(['PLACING', 'READY', 'ENDING']);

/**
 * Which state each state may move to. Self-transitions record progress within a state
 * (a new attempt while PLACING, `publishedAt` on READY or FAILED, player tracking on READY,
 * stop and archive progress on ENDING). PLACING → ENDING is the reaper stopping a session
 * whose placement was abandoned (every SQS retry spent) while Gameye runs it.
 */
export const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  PLACING: ['PLACING', 'READY', 'FAILED', 'ENDING'],
  READY: ['READY', 'ENDING', 'ENDED'],
  ENDING: ['ENDING', 'ENDED'],
  ENDED: [],
  FAILED: ['FAILED', 'PLACING'],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
}

const IsoTime = z.iso.datetime();

/*
 * The record's parts are built on first use (`z.lazy`): a cold start reads no record, and
 * building them at module load cost every cold start of both functions. SessionRecord itself
 * stays eager: ActiveEntry picks fields from its shape.
 */
export const ServerPort = z.lazy(() =>
  z.object({
    protocol: z.enum(['tcp', 'udp']),
    container: z.number().int().min(1).max(65535),
    host: z.number().int().min(1).max(65535),
  }),
);
export type ServerPort = z.infer<typeof ServerPort>;

export const AttemptOutcome = z.enum(['pending', 'started', 'adopted', 'no-capacity', 'failed']);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export const Attempt = z.lazy(() =>
  z.object({
    region: z.string(),
    at: IsoTime,
    /** `pending`: POST sent or about to be; whether it landed is unknown until the next answer. */
    outcome: AttemptOutcome,
    /** Gameye's correlation id of the answer that settled it, when there was one. */
    identifier: z.string().optional(),
  }),
);
export type Attempt = z.infer<typeof Attempt>;

export const Failure = z.lazy(() =>
  z.object({
    reason: z.enum(PERMANENT_REASONS),
    message: z.string(),
    /** Gameye's correlation id when Gameye's answer caused the failure. */
    identifier: z.string().optional(),
  }),
);
export type Failure = z.infer<typeof Failure>;

export const RecordPlayer = z.lazy(() => z.object({ id: z.string(), team: z.string().optional() }));
export type RecordPlayer = z.infer<typeof RecordPlayer>;

/** A matchmaker's ticket and the players it carried (FlexMatch: what the matchmaker knows them by). */
export const TicketPlayers = z.lazy(() => z.object({ ticketId: z.string(), playerIds: z.array(z.string()) }));
export type TicketPlayers = z.infer<typeof TicketPlayers>;

/** Players a backfill added to a READY match, as announced in PlayersAssigned. */
export const RecordedBackfill = z.lazy(() =>
  z.object({
    backfillId: z.string(),
    players: z.array(RecordPlayer),
    assignedAt: IsoTime,
  }),
);
export type RecordedBackfill = z.infer<typeof RecordedBackfill>;

/**
 * Backfills kept on a record, the latest last: a duplicate of one of them is answered with the
 * same PlayersAssigned. At most 100 players each, so they stay far below DynamoDB's 400 KB item.
 */
export const MAX_RECORDED_BACKFILLS = 8;

/**
 * Ids of backfills dropped from `backfills`, kept so a late duplicate of one is still known
 * (and changes nothing). 256 ids of at most 128 characters: 32 KB at most.
 */
export const MAX_FORGOTTEN_BACKFILL_IDS = 256;

/** One archived object: its S3 key, size and SHA-256 of the stored bytes. */
export const ArchivedFile = z.lazy(() =>
  z.object({
    /** The container path, or `logs` for the server's output. */
    path: z.string(),
    key: z.string(),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
export type ArchivedFile = z.infer<typeof ArchivedFile>;

/** A configured artifact Gameye no longer had (404): recorded, never blocks the lifecycle. */
export const MissingArtifact = z.lazy(() => z.object({ path: z.string(), reason: z.string() }));
export type MissingArtifact = z.infer<typeof MissingArtifact>;

/**
 * Stop and archive progress of an ENDING record, written after each step so a run that dies
 * or runs out of time resumes where it stopped and uploads nothing twice.
 */
export const ArchiveProgress = z.lazy(() =>
  z.object({
    files: z.array(ArchivedFile),
    missing: z.array(MissingArtifact),
    /** Set once the manifest is written: the archive is complete. */
    manifestKey: z.string().optional(),
    /** Downloads cut off at a run's deadline, with how many runs each was (see finish-ending.ts). */
    cutOff: z.array(z.object({ path: z.string(), runs: z.number().int().min(1) })).optional(),
  }),
);
export type ArchiveProgress = z.infer<typeof ArchiveProgress>;

/** Most attempts kept: bounds the item size whatever happens. */
export const MAX_ATTEMPTS = 32;

export const SessionRecord = z
  .object({
    matchId: z.string(),
    sessionId: z.uuid(),
    state: SessionState,
    /** Optimistic-concurrency counter: 1 at claim, +1 on every write. */
    version: z.number().int().min(1),
    profile: z.string(),
    image: z.string(),
    /** The pinned image tag, when the profile pins one. */
    imageVersion: z.string().optional(),
    players: z.array(RecordPlayer),
    /** The matchmaker's tickets (FlexMatch), announced with SessionReady. */
    tickets: z.array(TicketPlayers).optional(),
    /** What the translation of the matchmaker's message noted (published in SessionReady). */
    notes: z.array(z.string()).optional(),
    /** Backfills assigned to the running match, oldest first (at most {@link MAX_RECORDED_BACKFILLS}). */
    backfills: z.array(RecordedBackfill).max(MAX_RECORDED_BACKFILLS).optional(),
    /** Ids of backfills older than `backfills` holds, oldest first (at most {@link MAX_FORGOTTEN_BACKFILL_IDS}). */
    earlierBackfillIds: z.array(z.string()).max(MAX_FORGOTTEN_BACKFILL_IDS).optional(),
    region: z.string().optional(),
    host: z.string().optional(),
    ports: z.array(ServerPort).optional(),
    ranking: Ranking.optional(),
    /** How READY was reached: our POST answered 201, or a 409 led us to adopt it. */
    via: z.enum(['started', 'adopted']).optional(),
    attempts: z.array(Attempt).max(MAX_ATTEMPTS),
    failure: Failure.optional(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    readyAt: IsoTime.optional(),
    /** Set once the READY/FAILED event was handed to the publisher. */
    publishedAt: IsoTime.optional(),
    endedAt: IsoTime.optional(),
    /** First time the reaper saw a player online: from then on the idle rule applies, not join grace. */
    firstPlayerAt: IsoTime.optional(),
    /** Since when the reaper has seen no player online (after someone had joined); cleared when one is back. */
    idleSince: IsoTime.optional(),
    /** Why the session is being (or was) stopped: set with ENDING. */
    endReason: z.enum(STOP_REASONS).optional(),
    /** When Gameye confirmed the stop (204, or 404/409: already gone). */
    stoppedAt: IsoTime.optional(),
    archive: ArchiveProgress.optional(),
    /** For a record the reaper made for an orphan: the match id from the session's label, if any. */
    orphanOf: z.string().optional(),
    /** DynamoDB TTL, epoch seconds: present only on ENDED and FAILED records. */
    expiresAt: z.number().int().optional(),
    /** Sparse, write-sharded index key (`active#<n>`): present only while a session may run. */
    activeShard: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const need = (field: keyof typeof r, when: string): void => {
      if (r[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required when ${when}` });
    };
    if (r.state === 'READY' || r.state === 'ENDING' || r.state === 'ENDED') {
      // readyAt only for READY: an abandoned placement or an orphan goes to ENDING never having been READY.
      for (const f of ['region', 'host', 'ports'] as const) need(f, `state is ${r.state}`);
      if (r.state === 'READY') need('readyAt', 'state is READY');
    }
    if (r.state === 'ENDING' || r.state === 'ENDED') {
      need('endReason', `state is ${r.state}`);
      need('archive', `state is ${r.state}`);
    }
    if (r.state === 'FAILED') need('failure', 'state is FAILED');
    if (ACTIVE_STATES.has(r.state)) need('activeShard', `state is ${r.state}`);
    else if (r.activeShard !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['activeShard'],
        message: `must be absent when state is ${r.state}`,
      });
    }
    if (r.state === 'ENDED' || r.state === 'FAILED') need('expiresAt', `state is ${r.state}`);
  });
export type SessionRecord = z.infer<typeof SessionRecord>;

/** The sparse index's partition for a match: a stable hash spreads writes over `shards` keys. */
export function activeShardFor(matchId: string, shards: number): string {
  return activeShardName(createHash('sha1').update(matchId, 'utf8').digest().readUInt32BE(0) % shards);
}

const iso = (ms: number): string => new Date(ms).toISOString();

export interface NewRecord {
  readonly matchId: string;
  readonly sessionId: string;
  readonly profile: string;
  readonly image: string;
  readonly imageVersion?: string | undefined;
  readonly players: readonly RecordPlayer[];
  /** The matchmaker's tickets, when it has them (FlexMatch). */
  readonly tickets?: readonly TicketPlayers[] | undefined;
  readonly activeShards: number;
  readonly now: number;
}

/** The PLACING record a claim creates. */
export function newPlacingRecord(n: NewRecord): SessionRecord {
  return {
    matchId: n.matchId,
    sessionId: n.sessionId,
    state: 'PLACING',
    version: 1,
    profile: n.profile,
    image: n.image,
    ...(n.imageVersion === undefined ? {} : { imageVersion: n.imageVersion }),
    players: n.players.map((p) => ({ ...p })),
    ...(n.tickets === undefined
      ? {}
      : { tickets: n.tickets.map((t) => ({ ticketId: t.ticketId, playerIds: [...t.playerIds] })) }),
    attempts: [],
    createdAt: iso(n.now),
    updatedAt: iso(n.now),
    activeShard: activeShardFor(n.matchId, n.activeShards),
  };
}

function next(
  record: SessionRecord,
  to: SessionState,
  patch: Partial<SessionRecord>,
  now: number,
): SessionRecord {
  if (!canTransition(record.state, to)) {
    throw new StateConflictError(`cannot move session record from ${record.state} to ${to}`, {
      matchId: record.matchId,
      sessionId: record.sessionId,
    });
  }
  return {
    ...structuredClone(record),
    ...patch,
    state: to,
    version: record.version + 1,
    updatedAt: iso(now),
  };
}

/** The attempt a crashed or interrupted placement left unresolved, if any. */
export function pendingAttempt(record: SessionRecord): Attempt | undefined {
  const last = record.attempts.at(-1);
  return last?.outcome === 'pending' ? last : undefined;
}

/** Resolve the pending attempt in memory; it is persisted with the next write. */
export function settleAttempt(
  record: SessionRecord,
  outcome: Exclude<AttemptOutcome, 'pending'>,
  identifier?: string,
): SessionRecord {
  const last = record.attempts.at(-1);
  if (last?.outcome !== 'pending') return record;
  const settled: Attempt = { ...last, outcome, ...(identifier === undefined ? {} : { identifier }) };
  return { ...record, attempts: [...record.attempts.slice(0, -1), settled] };
}

/** PLACING → PLACING: about to POST to `region`. The oldest attempts are dropped past the bound. */
export function withAttempt(record: SessionRecord, region: string, now: number): SessionRecord {
  const attempts = [...record.attempts, { region, at: iso(now), outcome: 'pending' as const }].slice(
    -MAX_ATTEMPTS,
  );
  return next(record, 'PLACING', { attempts }, now);
}

/** PLACING → PLACING: persist attempt outcomes learnt since the last write. */
export function withSettledAttempts(record: SessionRecord, now: number): SessionRecord {
  return next(record, 'PLACING', {}, now);
}

export interface Placed {
  readonly region: string;
  readonly host: string;
  readonly ports: readonly ServerPort[];
  readonly ranking: Ranking;
  readonly via: 'started' | 'adopted';
  /** What the delivery that placed the match noted about it (cut to {@link MAX_NOTES} of {@link MAX_NOTE_CHARS}). */
  readonly notes?: readonly string[] | undefined;
}

/** PLACING → READY. */
export function toReady(record: SessionRecord, placed: Placed, now: number): SessionRecord {
  const { notes: _earlier, ...rest } = record;
  return next(
    rest,
    'READY',
    {
      region: placed.region,
      host: placed.host,
      ports: placed.ports.map((p) => ({ ...p })),
      ranking: placed.ranking,
      via: placed.via,
      readyAt: iso(now),
      // Bounded here too: the record must stay far below DynamoDB's 400 KB whatever was noted.
      ...(placed.notes === undefined || placed.notes.length === 0
        ? {}
        : { notes: placed.notes.slice(0, MAX_NOTES).map((n) => boundedText(n, MAX_NOTE_CHARS)) }),
    },
    now,
  );
}

/**
 * READY → READY: players a backfill added, recorded before PlayersAssigned is published so a
 * duplicate (or a redelivery after a crash) announces exactly the same. Past
 * {@link MAX_RECORDED_BACKFILLS} the oldest backfills keep only their ids
 * (`earlierBackfillIds`), so a late duplicate of one still changes nothing.
 */
export function withBackfill(record: SessionRecord, backfill: RecordedBackfill, now: number): SessionRecord {
  const all = [...(record.backfills ?? []), structuredClone(backfill)];
  const dropped = all.slice(0, Math.max(0, all.length - MAX_RECORDED_BACKFILLS)).map((b) => b.backfillId);
  const backfills = all.slice(-MAX_RECORDED_BACKFILLS);
  if (dropped.length === 0) return next(record, 'READY', { backfills }, now);
  const earlierBackfillIds = [...(record.earlierBackfillIds ?? []), ...dropped].slice(
    -MAX_FORGOTTEN_BACKFILL_IDS,
  );
  return next(record, 'READY', { backfills, earlierBackfillIds }, now);
}

/** Whether `backfillId` was assigned to this match already (announced in full, or long enough ago to be an id only). */
export function knownBackfill(
  record: SessionRecord,
  backfillId: string,
): RecordedBackfill | 'forgotten' | undefined {
  const recorded = record.backfills?.find((b) => b.backfillId === backfillId);
  if (recorded !== undefined) return recorded;
  return record.earlierBackfillIds?.includes(backfillId) ? 'forgotten' : undefined;
}

/** READY → READY or FAILED → FAILED: the outcome event was published. */
export function toPublished(record: SessionRecord, now: number): SessionRecord {
  return next(record, record.state, { publishedAt: iso(now) }, now);
}

/** PLACING → FAILED: kept `retentionDays`, then expired by DynamoDB TTL. */
export function toFailed(
  record: SessionRecord,
  failure: Failure,
  ranking: Ranking | undefined,
  now: number,
  retentionDays: number,
): SessionRecord {
  const { activeShard: _active, ...rest } = record;
  return next(
    rest,
    'FAILED',
    {
      // Bounded: the item must stay far below DynamoDB's 400 KB whatever the message said.
      failure: { ...failure, message: boundedText(failure.message, MAX_FAILURE_MESSAGE_CHARS) },
      ...(ranking === undefined ? {} : { ranking }),
      expiresAt: Math.floor(now / 1000) + retentionDays * 86_400,
    },
    now,
  );
}

/**
 * FAILED → PLACING: a failure that said nothing about the match (`RETRYABLE_FAILURES`: every
 * retry spent while Gameye was down, a refused token) is placed afresh by a later delivery.
 * Attempts are kept, so a session the failed tries may have started is still re-POSTed first.
 */
export function toRetry(record: SessionRecord, now: number, activeShards: number): SessionRecord {
  if (record.failure === undefined || !RETRYABLE_FAILURES.has(record.failure.reason)) {
    throw new StateConflictError(
      `match ${record.matchId} failed for good (${record.failure?.reason}): not retried`,
      {
        matchId: record.matchId,
        sessionId: record.sessionId,
      },
    );
  }
  const { failure: _f, expiresAt: _e, publishedAt: _p, ranking: _r, ...rest } = record;
  // A new claim: its age (what the reaper measures against orphanGraceMs) starts again.
  return next(
    rest,
    'PLACING',
    { activeShard: activeShardFor(record.matchId, activeShards), createdAt: iso(now) },
    now,
  );
}

/**
 * The record a MatchEnded leaves for a match nobody placed yet: SQS does not keep order, so
 * the MatchFound may still be on its way. FAILED (`ended-before-placed`, already "published":
 * the backend ended the match itself, there is nothing to announce), so a late MatchFound is
 * answered from it and no server is started for a match that is over. Expires like any
 * FAILED record.
 */
export function newEndedBeforePlacedRecord(n: {
  readonly matchId: string;
  readonly sessionId: string;
  readonly now: number;
  readonly retentionDays: number;
}): SessionRecord {
  const at = iso(n.now);
  return {
    matchId: n.matchId,
    sessionId: n.sessionId,
    state: 'FAILED',
    version: 1,
    profile: '-',
    image: '-',
    players: [],
    attempts: [],
    failure: {
      reason: 'ended-before-placed',
      message: 'MatchEnded arrived before this MatchFound; no server was started',
    },
    createdAt: at,
    updatedAt: at,
    publishedAt: at,
    expiresAt: Math.floor(n.now / 1000) + n.retentionDays * 86_400,
  };
}

/**
 * Whether the sparse index, read over shards `0 … activeShards - 1`, shows this record. A record
 * written when `activeShards` was higher may sit in a shard the reaper no longer reads.
 */
export function inReadShard(record: SessionRecord, activeShards: number): boolean {
  if (record.activeShard === undefined) return false;
  const shard = Number(record.activeShard.slice(ACTIVE_SHARD_PREFIX.length));
  return (
    record.activeShard.startsWith(ACTIVE_SHARD_PREFIX) && Number.isInteger(shard) && shard < activeShards
  );
}

/**
 * An active record → the same state, in the shard its match hashes to among `activeShards`:
 * moved out of a shard the reaper no longer reads (`activeShards` was lowered), so the
 * lifecycle policy sees it again.
 */
export function withReadShard(record: SessionRecord, activeShards: number, now: number): SessionRecord {
  return next(record, record.state, { activeShard: activeShardFor(record.matchId, activeShards) }, now);
}

/** READY → READY: what the reaper learnt about players (only written when it changed). */
export function withPlayerTracking(
  record: SessionRecord,
  patch: { readonly firstPlayerAt?: string | undefined; readonly idleSince?: string | undefined },
  now: number,
): SessionRecord {
  const { idleSince: _idle, firstPlayerAt: _first, ...rest } = record;
  const first = patch.firstPlayerAt ?? record.firstPlayerAt;
  return next(
    rest,
    'READY',
    {
      ...(first === undefined ? {} : { firstPlayerAt: first }),
      ...(patch.idleSince === undefined ? {} : { idleSince: patch.idleSince }),
    },
    now,
  );
}

/** Where Gameye runs a session, for records that never reached READY. */
export interface Whereabouts {
  readonly region: string;
  readonly host: string;
  readonly ports: readonly ServerPort[];
}

/**
 * READY (or PLACING) → ENDING: the reason is recorded before Gameye is asked to stop, so a
 * crash after the stop resumes the archive instead of forgetting the session.
 */
export function toEnding(
  record: SessionRecord,
  reason: (typeof STOP_REASONS)[number],
  now: number,
  where?: Whereabouts,
): SessionRecord {
  return next(
    record,
    'ENDING',
    {
      endReason: reason,
      archive: { files: [], missing: [] },
      ...(where === undefined
        ? {}
        : { region: where.region, host: where.host, ports: where.ports.map((p) => ({ ...p })) }),
    },
    now,
  );
}

/** ENDING → ENDING: progress (stop confirmed, a file archived or found missing, the manifest). */
export function withEndingProgress(
  record: SessionRecord,
  patch: { readonly stoppedAt?: string; readonly archive?: ArchiveProgress },
  now: number,
): SessionRecord {
  return next(record, 'ENDING', patch, now);
}

/** ENDING → ENDED: leaves the sparse index, expires after `retentionDays`. */
export function toEnded(record: SessionRecord, now: number, retentionDays: number): SessionRecord {
  const { activeShard: _active, idleSince: _idle, ...rest } = record;
  return next(
    rest,
    'ENDED',
    { endedAt: iso(now), expiresAt: Math.floor(now / 1000) + retentionDays * 86_400 },
    now,
  );
}

/** The match-id-like key of the record the reaper creates for an orphan session. */
export function orphanRecordKey(sessionId: string): string {
  return `orphan:${sessionId}`;
}

/** An ENDING record for a running session that has no active record (an orphan). */
export function newOrphanRecord(n: {
  readonly sessionId: string;
  readonly matchId: string | undefined;
  readonly profile: string;
  readonly image: string;
  readonly createdAt: number;
  readonly where: Whereabouts;
  readonly activeShards: number;
  readonly now: number;
}): SessionRecord {
  const matchId = orphanRecordKey(n.sessionId);
  return {
    matchId,
    sessionId: n.sessionId,
    state: 'ENDING',
    version: 1,
    profile: n.profile,
    image: n.image,
    players: [],
    region: n.where.region,
    host: n.where.host,
    ports: n.where.ports.map((p) => ({ ...p })),
    attempts: [],
    createdAt: iso(n.createdAt),
    updatedAt: iso(n.now),
    endReason: 'orphan',
    archive: { files: [], missing: [] },
    ...(n.matchId === undefined ? {} : { orphanOf: n.matchId }),
    activeShard: activeShardFor(matchId, n.activeShards),
  };
}
