/**
 * Events the bridge publishes on `session-events`. Versioned JSON; `type` doubles as the SNS
 * message attribute subscribers filter on, and `sessionId` is the deduplication key.
 *
 * Event bodies are built from the session record alone, so a republished event (after a crash
 * between publish and recording it) is identical to the first.
 *
 * Every event fits SNS's 256 KB by construction: each part is bounded by the schema of the
 * input it comes from (MatchFound, the bridge configuration) or cut here (free text), and the
 * ranking is summarised (`ranking.ts`). `test/placement/event-size.test.ts` builds the largest
 * of each and measures it.
 */
import * as z from 'zod';
import { boundedText } from './bounded-text.ts';
import { MAX_ARTIFACT_PATH_CHARS, MAX_ARTIFACT_PATHS } from './config.ts';
import { MAX_FAILURE_MESSAGE_CHARS, PERMANENT_REASONS, type PermanentReason } from './errors.ts';

export { MAX_FAILURE_MESSAGE_CHARS };

import { MAX_NOTE_CHARS, MAX_NOTES } from './formats/translation.ts';
import { MAX_PLAYERS } from './match-event.ts';
import { Ranking } from './ranking.ts';
import {
  type RecordedBackfill,
  RecordPlayer,
  ServerPort,
  type SessionRecord,
  TicketPlayers,
} from './session-record.ts';
import { STOP_REASONS } from './stop-reasons.ts';

const IsoTime = z.lazy(() => z.iso.datetime());

/** Gameye's correlation id; real ones are short, a longer one is cut. */
export const MAX_IDENTIFIER_CHARS = 256;
/** Artifacts SessionEnded may list as missing: every configured path, and the logs. */
const MAX_MISSING_ARTIFACTS = MAX_ARTIFACT_PATHS + 1;

/*
 * The event schemas are built on first use (`z.lazy`), at the first publish: a cold start
 * publishes nothing, and building them at module load cost every cold start of both functions.
 */
export const SessionReadyV1 = z.lazy(() =>
  z.object({
    type: z.literal('SessionReady'),
    version: z.literal(1),
    matchId: z.string(),
    sessionId: z.uuid(),
    profile: z.string(),
    region: z.string(),
    host: z.string(),
    /** Host port by container port and protocol: `{ "7777/udp": 24011 }`. */
    ports: z.record(z.string(), z.number().int()),
    /** The same ports as a list. */
    portList: z.array(ServerPort),
    players: z.array(RecordPlayer),
    ranking: Ranking,
    /** Whether we started the session or adopted it after a 409 (a redelivered match). */
    via: z.enum(['started', 'adopted']),
    claimedAt: IsoTime,
    readyAt: IsoTime,
    /** FlexMatch matches: the matchmaking tickets and their players, as FlexMatch named them. */
    tickets: z.array(TicketPlayers).max(MAX_PLAYERS).optional(),
    /**
     * What the bridge noted while translating the matchmaker's message, e.g. FlexMatch tickets
     * whose latencies could no longer be read (those players were placed by preference).
     */
    notes: z.array(z.string().max(MAX_NOTE_CHARS)).max(MAX_NOTES).optional(),
  }),
);
export type SessionReadyV1 = z.infer<typeof SessionReadyV1>;

/**
 * Players a backfill added to a match that is running: where to send them (the session's
 * host and ports). No new server was started. Deduplicate on `sessionId` and `backfillId`.
 */
export const PlayersAssignedV1 = z.lazy(() =>
  z.object({
    type: z.literal('PlayersAssigned'),
    version: z.literal(1),
    matchId: z.string(),
    sessionId: z.uuid(),
    backfillId: z.string(),
    region: z.string(),
    host: z.string(),
    /** Host port by container port and protocol: `{ "7777/udp": 24011 }`. */
    ports: z.record(z.string(), z.number().int()),
    portList: z.array(ServerPort),
    /** The backfilled players only. */
    players: z.array(RecordPlayer).max(MAX_PLAYERS),
    assignedAt: IsoTime,
  }),
);
export type PlayersAssignedV1 = z.infer<typeof PlayersAssignedV1>;

/**
 * Why a backfill found no running match: `unknown-match` (no record), `match-not-ready` (still
 * being placed after every retry), `match-failed` (it never got a server), `match-over`
 * (ending or ended), `invalid-event` (the message itself was invalid).
 */
export const BACKFILL_FAILURES = [
  'unknown-match',
  'match-not-ready',
  'match-failed',
  'match-over',
  'invalid-event',
] as const;
export type BackfillFailure = (typeof BACKFILL_FAILURES)[number];

/** A backfill that assigned nobody: the message is parked in the DLQ with the same reason. */
export const BackfillFailedV1 = z.lazy(() =>
  z.object({
    type: z.literal('BackfillFailed'),
    version: z.literal(1),
    matchId: z.string(),
    sessionId: z.uuid(),
    backfillId: z.string(),
    reason: z.enum(BACKFILL_FAILURES),
    message: z.string().max(MAX_FAILURE_MESSAGE_CHARS),
    failedAt: IsoTime,
  }),
);
export type BackfillFailedV1 = z.infer<typeof BackfillFailedV1>;

export const SessionFailedV1 = z.lazy(() =>
  z.object({
    type: z.literal('SessionFailed'),
    version: z.literal(1),
    matchId: z.string(),
    sessionId: z.uuid(),
    reason: z.enum(PERMANENT_REASONS),
    /** What went wrong, for a person; cut to its first {@link MAX_FAILURE_MESSAGE_CHARS} characters. */
    message: z.string().max(MAX_FAILURE_MESSAGE_CHARS),
    /** Gameye's correlation id, when a Gameye answer caused the failure; quote it to Gameye support. */
    identifier: z.string().max(MAX_IDENTIFIER_CHARS).nullable(),
    ranking: Ranking.nullable(),
    failedAt: IsoTime,
  }),
);
export type SessionFailedV1 = z.infer<typeof SessionFailedV1>;

export const SessionEndedV1 = z.lazy(() =>
  z.object({
    type: z.literal('SessionEnded'),
    version: z.literal(1),
    matchId: z.string(),
    sessionId: z.uuid(),
    region: z.string(),
    /** Why the session was stopped (the same list as the `SessionsStopped` metric's dimension). */
    reason: z.enum(STOP_REASONS),
    /** S3 key of the archive manifest (`manifest.json`: every file's key, size and SHA-256, and the missing ones). */
    manifestKey: z.string(),
    /** Configured artifacts Gameye no longer had. */
    missingArtifacts: z.array(z.string().max(MAX_ARTIFACT_PATH_CHARS)).max(MAX_MISSING_ARTIFACTS),
    /** Null when the session never reached READY (an abandoned placement). */
    readyAt: IsoTime.nullable(),
    endedAt: IsoTime,
  }),
);
export type SessionEndedV1 = z.infer<typeof SessionEndedV1>;

export const SessionEvent = z.lazy(() =>
  z.discriminatedUnion('type', [
    SessionReadyV1,
    SessionFailedV1,
    SessionEndedV1,
    PlayersAssignedV1,
    BackfillFailedV1,
  ]),
);
export type SessionEvent = z.infer<typeof SessionEvent>;
export type SessionEventType = SessionEvent['type'];

/** `{ "7777/udp": 24011 }` from the port list. */
export function portMap(ports: readonly ServerPort[]): Record<string, number> {
  return Object.fromEntries(ports.map((p) => [`${p.container}/${p.protocol}`, p.host]));
}

/** SessionReady for a READY record. */
export function sessionReadyOf(record: SessionRecord): SessionReadyV1 {
  const { region, host, ports, ranking, via, readyAt } = record;
  if (record.state !== 'READY' || !region || !host || !ports || !ranking || !via || !readyAt) {
    throw new TypeError(`record of match ${record.matchId} is not a complete READY record`);
  }
  return {
    type: 'SessionReady',
    version: 1,
    matchId: record.matchId,
    sessionId: record.sessionId,
    profile: record.profile,
    region,
    host,
    ports: portMap(ports),
    portList: ports.map((p) => ({ ...p })),
    players: record.players.map((p) => ({ ...p })),
    ranking,
    via,
    claimedAt: record.createdAt,
    readyAt,
    ...(record.tickets === undefined
      ? {}
      : {
          tickets: record.tickets
            .slice(0, MAX_PLAYERS)
            .map((t) => ({ ticketId: t.ticketId, playerIds: t.playerIds.slice(0, MAX_PLAYERS) })),
        }),
    ...(record.notes === undefined || record.notes.length === 0
      ? {}
      : { notes: record.notes.slice(0, MAX_NOTES).map((n) => boundedText(n, MAX_NOTE_CHARS)) }),
  };
}

/** PlayersAssigned for a backfill recorded on a record that has a server (READY, or since). */
export function playersAssignedOf(record: SessionRecord, backfill: RecordedBackfill): PlayersAssignedV1 {
  const { region, host, ports } = record;
  if (!region || !host || !ports) {
    throw new TypeError(`record of match ${record.matchId} has no server to assign players to`);
  }
  return {
    type: 'PlayersAssigned',
    version: 1,
    matchId: record.matchId,
    sessionId: record.sessionId,
    backfillId: backfill.backfillId,
    region,
    host,
    ports: portMap(ports),
    portList: ports.map((p) => ({ ...p })),
    players: backfill.players.map((p) => ({ ...p })),
    assignedAt: backfill.assignedAt,
  };
}

/** BackfillFailed from its facts, the message cut to the schema's bound. */
export function backfillFailedFor(facts: {
  readonly matchId: string;
  readonly sessionId: string;
  readonly backfillId: string;
  readonly reason: BackfillFailure;
  readonly message: string;
  /** ISO time. */
  readonly failedAt: string;
}): BackfillFailedV1 {
  return {
    type: 'BackfillFailed',
    version: 1,
    matchId: facts.matchId,
    sessionId: facts.sessionId,
    backfillId: facts.backfillId,
    reason: facts.reason,
    message: boundedText(facts.message, MAX_FAILURE_MESSAGE_CHARS),
    failedAt: facts.failedAt,
  };
}

/** What a SessionFailed says; free text is bounded by {@link sessionFailedFor}. */
export interface FailureFacts {
  readonly matchId: string;
  readonly sessionId: string;
  readonly reason: PermanentReason;
  readonly message: string;
  readonly identifier?: string | undefined;
  readonly ranking?: SessionFailedV1['ranking'] | undefined;
  /** ISO time. */
  readonly failedAt: string;
}

/**
 * SessionFailed from its facts, with the message and identifier cut to the schema's bounds.
 * Use it for every SessionFailed, with or without a record: a failure message quotes input
 * (zod issues, Gameye's message, region names) of any length.
 */
export function sessionFailedFor(facts: FailureFacts): SessionFailedV1 {
  return {
    type: 'SessionFailed',
    version: 1,
    matchId: facts.matchId,
    sessionId: facts.sessionId,
    reason: facts.reason,
    message: boundedText(facts.message, MAX_FAILURE_MESSAGE_CHARS),
    identifier: facts.identifier === undefined ? null : boundedText(facts.identifier, MAX_IDENTIFIER_CHARS),
    ranking: facts.ranking ?? null,
    failedAt: facts.failedAt,
  };
}

/** SessionFailed for a FAILED record. */
export function sessionFailedOf(record: SessionRecord): SessionFailedV1 {
  if (record.state !== 'FAILED' || !record.failure) {
    throw new TypeError(`record of match ${record.matchId} is not a FAILED record`);
  }
  return sessionFailedFor({
    matchId: record.matchId,
    sessionId: record.sessionId,
    reason: record.failure.reason,
    message: record.failure.message,
    identifier: record.failure.identifier,
    ranking: record.ranking,
    failedAt: record.updatedAt,
  });
}

/** SessionEnded for an ENDING record whose archive is complete (published before ENDED is written). */
export function sessionEndedOf(record: SessionRecord): SessionEndedV1 {
  const { region, endReason, archive } = record;
  if (!region || !endReason || archive?.manifestKey === undefined) {
    throw new TypeError(`record of match ${record.matchId} has no complete archive to announce`);
  }
  return {
    type: 'SessionEnded',
    version: 1,
    matchId: record.matchId,
    sessionId: record.sessionId,
    region,
    reason: endReason,
    manifestKey: archive.manifestKey,
    // Bounded by the configuration's artifactPaths; cut here too for records written before it was.
    missingArtifacts: archive.missing
      .slice(0, MAX_MISSING_ARTIFACTS)
      .map((m) => boundedText(m.path, MAX_ARTIFACT_PATH_CHARS)),
    readyAt: record.readyAt ?? null,
    endedAt: record.stoppedAt ?? record.updatedAt,
  };
}
