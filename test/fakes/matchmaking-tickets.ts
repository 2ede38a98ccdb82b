/** A fake FlexMatch ticket lookup: tickets by id, scripted failures, and every call recorded. */
import { MatchmakerCallError, type MatchmakerFailure } from '../../lambdas/core/errors.ts';
import type { DescribedTicket, MatchmakingTickets } from '../../lambdas/core/ports.ts';

export class FakeMatchmakingTickets implements MatchmakingTickets {
  /** The ticket ids of each call, in order. */
  readonly calls: string[][] = [];
  readonly #tickets = new Map<string, DescribedTicket>();
  readonly #failures: MatchmakerCallError[] = [];

  /** Register a ticket: each player's latencies by region code. */
  ticket(ticketId: string, players: Record<string, Record<string, number>>): this {
    this.#tickets.set(ticketId, {
      ticketId,
      players: Object.entries(players).map(([playerId, latencyInMs]) => ({ playerId, latencyInMs })),
    });
    return this;
  }

  /** The next calls fail with these kinds, one each. */
  failNext(...kinds: MatchmakerFailure[]): this {
    this.#failures.push(
      ...kinds.map((kind) => new MatchmakerCallError({ kind, message: `injected ${kind}` })),
    );
    return this;
  }

  /** The next call fails with this error, as the GameLift adapter would raise it. */
  failNextWith(error: MatchmakerCallError): this {
    this.#failures.push(error);
    return this;
  }

  async describeTickets(ticketIds: readonly string[]): Promise<readonly DescribedTicket[]> {
    this.calls.push([...ticketIds]);
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    return ticketIds.flatMap((id) => {
      const found = this.#tickets.get(id);
      return found === undefined ? [] : [structuredClone(found)];
    });
  }
}
