/**
 * Amazon GameLift FlexMatch (standalone) → MatchFound v1, pure.
 *
 * What arrives is the EventBridge event itself, as a rule delivers it to an SQS target: the
 * envelope (`version`, `id`, `detail-type` "GameLift Matchmaking Event", `source`
 * "aws.gamelift", `account`, `time`, `region`, `resources` = the matchmaking configuration's
 * ARN) around FlexMatch's `detail` (`type`, `tickets`, `matchId`, `gameSessionInfo`), as the
 * FlexMatch developer guide's "FlexMatch matchmaking events" page documents it. Each ticket
 * carries `ticketId` and `players` (`playerId`, `team`, `playerSessionId`).
 *
 * - `MatchmakingSucceeded` of a configuration `sources.flexMatch.configurations` names becomes
 *   a match: the id is FlexMatch's `matchId` (the idempotency key), the profile the
 *   configuration's, the players the tickets' players with their teams. The event carries no
 *   latencies: placement looks them up by ticket (`flexmatch-latencies.ts`).
 * - Every other event type (`MatchmakingSearching`, `PotentialMatchCreated`, `AcceptMatch`,
 *   `AcceptMatchCompleted`, `MatchmakingTimedOut`, `MatchmakingCancelled`,
 *   `MatchmakingFailed`) asks nothing of the bridge: acknowledged and dropped.
 * - A configuration the deployment does not name is refused (another deployment may serve it).
 * - Backfill. In standalone mode a game asks for a backfill with `StartMatchBackfill` (GameLift
 *   API reference), giving a ticket id of its own choosing and the players already in the
 *   match, and gets the result in a `MatchmakingSucceeded` listing the match's tickets. The
 *   documentation does not tie that event's `matchId` to the original match; the one part of
 *   the event the game controls is the backfill ticket's id. By the bridge's convention a
 *   backfill ticket is named `backfill.<matchId>` or
 *   `backfill.<matchId>.<anything>`: such an event becomes MatchBackfilled v1 for that match,
 *   with FlexMatch's `matchId` as the backfill id and the players of the other tickets as the
 *   new players. (An event with no such ticket is a new match, whatever the game meant.)
 */
import * as z from 'zod';
import { type FieldIssue, MatchEventError } from '../errors.ts';
import { boundedIssues } from '../issues.ts';
import {
  MAX_PLAYERS,
  MatchBackfilledV1,
  type MatchFoundV1,
  MatchId,
  PlayerId,
  parseDocument,
} from '../match-event.ts';
import type { TicketPlayers } from '../session-record.ts';
import type { FlexMatchSource } from './sources.ts';
import { checkedMatch, type Translated } from './translation.ts';

export const FLEXMATCH = 'FlexMatch';
export const FLEXMATCH_SOURCE = 'aws.gamelift';
export const FLEXMATCH_DETAIL_TYPE = 'GameLift Matchmaking Event';
export const MATCHMAKING_SUCCEEDED = 'MatchmakingSucceeded';

/**
 * The envelope of a FlexMatch event, around `detail`. The schemas below are built on first use
 * (`z.lazy`): a deployment whose `sources` name no `flexMatch` never reads one, and building
 * them at module load cost every cold start.
 */
const envelope = () => ({
  'detail-type': z.literal(FLEXMATCH_DETAIL_TYPE),
  source: z.literal(FLEXMATCH_SOURCE),
  /** The matchmaking configuration's ARN (`…:matchmakingconfiguration/<name>`). */
  resources: z.array(z.string().max(2048)).min(1).max(16),
});

/** The envelope of any FlexMatch event, with just enough of `detail` to tell its type. */
const FlexMatchEvent = z.lazy(() =>
  z.object({ ...envelope(), detail: z.object({ type: z.string().min(1).max(64) }) }),
);

/**
 * A `MatchmakingSucceeded` event as the bridge reads it; its JSON Schema is published
 * (`schemas/flexmatch-matchmaking-succeeded.schema.json`). Fields the bridge does not read
 * (`version`, `id`, `account`, `time`, `region`, `gameSessionInfo`, `startTime`,
 * `playerSessionId`) may be present and are ignored.
 */
export const FlexMatchSucceededEvent = z.lazy(() => {
  /**
   * A matchmaking ticket id: at most 128 letters, digits, `-` and `.` (GameLift API reference,
   * `MatchmakingTicket.TicketId`).
   */
  const FlexMatchTicketId = z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a ticket id of letters, digits, - and .');
  /** A team name as MatchFound carries it (FlexMatch allows longer ones; the bridge does not). */
  const Team = z.string().min(1).max(64);
  const FlexMatchPlayer = z.object({
    playerId: PlayerId,
    team: Team.optional(),
  });
  const FlexMatchTicket = z.object({
    ticketId: FlexMatchTicketId,
    players: z.array(FlexMatchPlayer).min(1).max(MAX_PLAYERS),
  });
  const SucceededDetail = z
    .object({
      type: z.literal(MATCHMAKING_SUCCEEDED),
      matchId: MatchId,
      tickets: z.array(FlexMatchTicket).min(1).max(MAX_PLAYERS),
    })
    .superRefine(oneMatch);
  return z.object({ ...envelope(), detail: SucceededDetail });
});

/** Every player once, at most {@link MAX_PLAYERS} in all, every ticket once: at FlexMatch's paths. */
function oneMatch(
  detail: {
    readonly tickets: readonly {
      readonly ticketId: string;
      readonly players: readonly { readonly playerId: string }[];
    }[];
  },
  ctx: z.RefinementCtx,
): void {
  const players = new Set<string>();
  const tickets = new Set<string>();
  let count = 0;
  detail.tickets.forEach((ticket, t) => {
    if (tickets.has(ticket.ticketId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tickets', t, 'ticketId'],
        message: `duplicate ticket ${ticket.ticketId}`,
      });
    }
    tickets.add(ticket.ticketId);
    ticket.players.forEach((player, p) => {
      count++;
      if (players.has(player.playerId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tickets', t, 'players', p, 'playerId'],
          message: `duplicate player id ${player.playerId}`,
        });
      }
      players.add(player.playerId);
    });
  });
  if (count > MAX_PLAYERS) {
    ctx.addIssue({
      code: 'custom',
      path: ['tickets'],
      message: `expected at most ${MAX_PLAYERS} players, got ${count}`,
    });
  }
}

export type FlexMatchSucceededEvent = z.infer<typeof FlexMatchSucceededEvent>;

const CONFIGURATION_ARN = /^arn:[^:]+:gamelift:[^:]*:[^:]*:matchmakingconfiguration\/([A-Za-z0-9.-]+)$/;
/**
 * FlexMatch match ids are UUIDs: requiring one keeps an ordinary ticket that merely starts
 * with `backfill.` (`backfill.queue-eu`) from turning a new match into a backfill.
 */
const BACKFILL_TICKET =
  /^backfill\.([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\.[A-Za-z0-9.-]*)?$/;

/** The backfill ticket id the bridge recognises for a match: `backfill.<matchId>[.<anything>]`, the match id a UUID. */
export function backfillTicketMatchId(ticketId: string): string | undefined {
  return BACKFILL_TICKET.exec(ticketId)?.[1];
}

/** Whether a parsed document is a FlexMatch event (by its EventBridge `source` or `detail-type`). */
export function looksLikeFlexMatch(json: object): boolean {
  const { source, 'detail-type': detailType } = json as { source?: unknown; 'detail-type'?: unknown };
  return (
    (Object.hasOwn(json, 'source') && source === FLEXMATCH_SOURCE) ||
    (Object.hasOwn(json, 'detail-type') && detailType === FLEXMATCH_DETAIL_TYPE)
  );
}

/** FlexMatch's match id of an event, when it is a valid one (for a SessionFailed). */
export function flexMatchIdOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'detail')) return undefined;
  const detail = (json as { detail?: unknown }).detail;
  if (typeof detail !== 'object' || detail === null || !Object.hasOwn(detail, 'matchId')) return undefined;
  const id = MatchId.safeParse((detail as { matchId?: unknown }).matchId);
  return id.success ? id.data : undefined;
}

function invalid(issues: FieldIssue[], matchId: string | undefined): Translated {
  return {
    kind: 'invalid',
    error: new MatchEventError(boundedIssues(issues), { format: FLEXMATCH, matchId }),
  };
}

/**
 * An invalid backfill of `original`: answered with BackfillFailed for the running match the
 * game asked to backfill, not SessionFailed for the backfill event's own id.
 */
function invalidBackfill(issues: FieldIssue[], original: string, backfillId: string | undefined): Translated {
  return {
    kind: 'invalid',
    error: new MatchEventError(boundedIssues(issues), { format: FLEXMATCH, matchId: original }),
    backfillId,
  };
}

/** Translate one FlexMatch event for a deployment with this `sources.flexMatch`. Never throws. */
export function translateFlexMatch(json: unknown, source: FlexMatchSource): Translated {
  const matchId = flexMatchIdOf(json);
  const head = parseDocument(json, FlexMatchEvent, { format: FLEXMATCH, matchId });
  if (!head.ok) return { kind: 'invalid', error: head.error };
  const { detail, resources } = head.event;
  if (detail.type !== MATCHMAKING_SUCCEEDED)
    return { kind: 'ignored', what: `FlexMatch ${detail.type}`, matchId };

  const named = resources.map((arn) => CONFIGURATION_ARN.exec(arn)?.[1]);
  const index = named.findIndex((name) => name !== undefined);
  const configuration = named[index];
  if (configuration === undefined) {
    return invalid([{ path: 'resources', message: 'expected a matchmaking configuration ARN' }], matchId);
  }
  const configured = Object.hasOwn(source.configurations, configuration)
    ? source.configurations[configuration]
    : undefined;
  if (configured === undefined) {
    return {
      kind: 'refused',
      reason: 'unknown-configuration',
      message:
        `FlexMatch matchmaking configuration ${configuration} (resources[${index}]) is not one this deployment places: ` +
        `sources.flexMatch.configurations names ${Object.keys(source.configurations).join(', ')}`,
      matchId,
    };
  }

  const parsed = parseDocument(json, FlexMatchSucceededEvent, { format: FLEXMATCH, matchId });
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const { tickets } = parsed.event.detail;
  const backfills = tickets.flatMap((t, i) => {
    const of = backfillTicketMatchId(t.ticketId);
    return of === undefined ? [] : [{ index: i, of }];
  });
  if (backfills.length > 0) return backfillOf(parsed.event, backfills, matchId);
  return matchOf(parsed.event.detail, configured.profile);
}

function matchOf(detail: FlexMatchSucceededEvent['detail'], profile: string): Translated {
  const players = detail.tickets.flatMap((t) =>
    t.players.map((p) => (p.team === undefined ? { id: p.playerId } : { id: p.playerId, team: p.team })),
  );
  const checked = checkedMatch({ version: 1, matchId: detail.matchId, profile, players }, FLEXMATCH);
  if (!checked.ok) return { kind: 'invalid', error: checked.error };
  const match: MatchFoundV1 = checked.match;
  const tickets: TicketPlayers[] = detail.tickets.map((t) => ({
    ticketId: t.ticketId,
    playerIds: t.players.map((p) => p.playerId),
  }));
  return { kind: 'match', match, notes: [], tickets };
}

interface Backfill {
  readonly index: number;
  readonly of: string;
}

/** `backfills` holds at least one ticket. */
function backfillOf(
  event: FlexMatchSucceededEvent,
  backfills: readonly Backfill[],
  matchId: string | undefined,
): Translated {
  const [first, ...others] = backfills as [Backfill, ...Backfill[]];
  if (others.length > 0) {
    return invalidBackfill(
      others.map((b) => ({
        path: `detail.tickets[${b.index}].ticketId`,
        message: `a second backfill ticket (the first is detail.tickets[${first.index}]): one match is backfilled at a time`,
      })),
      first.of,
      matchId,
    );
  }
  const ofMatch = MatchId.safeParse(first.of);
  if (!ofMatch.success) {
    return invalid(
      [
        {
          path: `detail.tickets[${first.index}].ticketId`,
          message: `backfill of ${first.of}: not a match id`,
        },
      ],
      matchId,
    );
  }
  const players = event.detail.tickets
    .filter((_, i) => i !== first.index)
    .flatMap((t) =>
      t.players.map((p) => (p.team === undefined ? { id: p.playerId } : { id: p.playerId, team: p.team })),
    );
  const parsed = parseDocument(
    {
      type: 'MatchBackfilled',
      version: 1,
      matchId: ofMatch.data,
      backfillId: event.detail.matchId,
      players,
    },
    MatchBackfilledV1,
    { format: FLEXMATCH, matchId: ofMatch.data },
  );
  if (!parsed.ok) {
    const issues = parsed.error.issues.map((i) =>
      i.path === 'players' ? { path: 'detail.tickets', message: 'a backfill with no new players' } : i,
    );
    return invalidBackfill(issues, ofMatch.data, matchId);
  }
  return { kind: 'backfill', backfill: parsed.event };
}
