/**
 * FlexMatch's match events carry no latencies: each player's `LatencyInMs` (round trip per AWS
 * region code) stays on their matchmaking ticket, which GameLift's `DescribeMatchmaking`
 * returns (`TicketList[].Players[].LatencyInMs`, GameLift API reference: `DescribeMatchmaking`,
 * `MatchmakingTicket`, `Player`). This fills a translated FlexMatch match's latencies from its
 * tickets, in as few calls as the API allows: one per {@link MAX_TICKETS_PER_LOOKUP} tickets,
 * made together, so a match of up to ten tickets costs exactly one call.
 *
 * The region codes stay as FlexMatch names them (`us-west-2`): placement maps them to Gameye
 * locations through `regionAliases` like any matchmaker's region names.
 *
 * What cannot be read is placed by preference, never guessed: a ticket GameLift no longer
 * returns (`DescribeMatchmaking` answers only for tickets that still exist), a player missing
 * from their ticket, a measurement outside what MatchFound accepts. Each is named in a note published
 * with SessionReady. A lookup that may succeed later (throttling, an outage) fails the
 * delivery for now; on the last delivery SQS makes, the match is placed by preference instead,
 * with the failure in a note: late players waiting for a server are better served by one in
 * the preferred region than by none. A lookup no retry will mend (the function may not call
 * `DescribeMatchmaking`, or GameLift refused the request) places by preference at once: waiting
 * out the retry window would only keep the players waiting minutes for the same result. The
 * note names the failure's kind, code and request id, never the vendor's message (an access
 * error's text names the account and role, and SessionReady goes to the game backend).
 */
import { boundedText, listWithMore } from '../bounded-text.ts';
import { MatchmakerCallError, type MatchmakerFailure, TransientPlacementError } from '../errors.ts';
import { isLatencyMs, isRegionName, MAX_LATENCIES_PER_PLAYER, type MatchFoundV1 } from '../match-event.ts';
import type { DescribedTicket, MatchmakingTickets } from '../ports.ts';
import type { TicketPlayers } from '../session-record.ts';
import { MAX_NOTE_CHARS, MAX_NOTES } from './translation.ts';

/** Ticket ids one `DescribeMatchmaking` call takes (GameLift API reference: up to 10). */
export const MAX_TICKETS_PER_LOOKUP = 10;

export interface LookedUp {
  /** The match with every latency that could be read. */
  readonly match: MatchFoundV1;
  /** What could not be read, and why; empty when everything was. */
  readonly notes: readonly string[];
  /** `DescribeMatchmaking` calls made. */
  readonly calls: number;
  /** The lookup failed and every player was placed by preference: why (for logs and metrics). */
  readonly failure?: MatchmakerCallError;
}

/** Failures no later delivery mends: placed by preference at once. */
const FINAL_FAILURES: ReadonlySet<MatchmakerFailure> = new Set(['denied', 'rejected']);

/**
 * The match with its players' latencies from their tickets. Throws only
 * {@link TransientPlacementError} (`matchmaker-unavailable`), and only for a failure a later
 * delivery may not meet, when this is not the last delivery.
 */
export async function withTicketLatencies(
  match: MatchFoundV1,
  tickets: readonly TicketPlayers[],
  port: MatchmakingTickets,
  options: { readonly finalDelivery?: boolean } = {},
): Promise<LookedUp> {
  const chunks: string[][] = [];
  for (let i = 0; i < tickets.length; i += MAX_TICKETS_PER_LOOKUP) {
    chunks.push(tickets.slice(i, i + MAX_TICKETS_PER_LOOKUP).map((t) => t.ticketId));
  }
  let described: DescribedTicket[];
  try {
    described = (await Promise.all(chunks.map((ids) => port.describeTickets(ids)))).flat();
  } catch (error) {
    const failure =
      error instanceof MatchmakerCallError
        ? error
        : new MatchmakerCallError({ kind: 'unavailable', message: String(error), cause: error });
    const final = FINAL_FAILURES.has(failure.kind);
    if (!options.finalDelivery && !final) {
      throw new TransientPlacementError(
        'matchmaker-unavailable',
        `could not read the FlexMatch tickets' latencies (${failure.kind}: ${failure.message})`,
        { matchId: match.matchId, cause: error },
      );
    }
    const why = [failure.kind, failure.code, failure.requestId && `request ${failure.requestId}`]
      .filter((part) => part !== undefined && part !== '')
      .join(', ');
    const when = final ? 'GameLift refused the lookup' : 'the lookup still failed on the last delivery';
    const note = `the FlexMatch tickets' latencies could not be read (${why}; ${when}): every player was placed by preference`;
    return { match, notes: bounded([note]), calls: chunks.length, failure };
  }
  return { ...fill(match, tickets, described), calls: chunks.length };
}

function fill(
  match: MatchFoundV1,
  tickets: readonly TicketPlayers[],
  described: readonly DescribedTicket[],
): Omit<LookedUp, 'calls'> {
  const byTicket = new Map(described.map((t) => [t.ticketId, t]));
  const latencies = new Map<string, Record<string, number>>();
  const gone: string[] = [];
  const missing: string[] = [];
  const dropped: string[] = [];
  for (const ticket of tickets) {
    const found = byTicket.get(ticket.ticketId);
    if (found === undefined) {
      gone.push(`${ticket.ticketId} (${listWithMore(ticket.playerIds, 3, 64)})`);
      continue;
    }
    const players = new Map(found.players.map((p) => [p.playerId, p.latencyInMs]));
    for (const playerId of ticket.playerIds) {
      const measured = players.get(playerId);
      if (measured === undefined) missing.push(`${playerId} (ticket ${ticket.ticketId})`);
      else latencies.set(playerId, usable(measured, playerId, dropped));
    }
  }
  const notes: string[] = [];
  if (gone.length > 0) {
    notes.push(
      `DescribeMatchmaking no longer returns ticket ${listWithMore(gone, 5, 200)}: their players were placed by preference`,
    );
  }
  if (missing.length > 0) {
    notes.push(`players missing from their ticket, placed by preference: ${listWithMore(missing, 5, 200)}`);
  }
  if (dropped.length > 0) notes.push(`latencies left out: ${listWithMore(dropped, 5, 200)}`);
  return {
    match: {
      ...match,
      players: match.players.map((p) => ({ ...p, latencies: latencies.get(p.id) ?? p.latencies })),
    },
    notes: bounded(notes),
  };
}

/**
 * The measurements MatchFound accepts (a region code of its charset, 0-10,000 ms, at most
 * {@link MAX_LATENCIES_PER_PLAYER}); each one left out is named in `dropped`.
 */
function usable(
  measured: Readonly<Record<string, number>>,
  playerId: string,
  dropped: string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  let kept = 0;
  for (const [region, ms] of Object.entries(measured)) {
    if (!isRegionName(region) || !isLatencyMs(ms) || kept >= MAX_LATENCIES_PER_PLAYER) {
      dropped.push(`${playerId} ${region}=${String(ms)}`);
      continue;
    }
    kept++;
    // Own properties only (`Object.defineProperty`), whatever the region is called.
    Object.defineProperty(out, region, { value: ms, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function bounded(notes: readonly string[]): string[] {
  return notes.slice(0, MAX_NOTES).map((n) => boundedText(n, MAX_NOTE_CHARS));
}
