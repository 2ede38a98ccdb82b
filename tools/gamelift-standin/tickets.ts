/**
 * The matchmaking tickets the stand-in knows, in the shape GameLift's `DescribeMatchmaking`
 * answers them (`MatchmakingTicket`, PascalCase as on the wire). A test or the local
 * simulation registers the tickets of a match it is about to announce; the stand-in answers
 * for those and omits every other id, as GameLift does for a ticket that does not exist.
 */
import * as z from 'zod';

/**
 * GameLift's `MatchmakingIdStringModel`: ticket ids and configuration names (1–128 characters
 * of letters, digits, `-` and `.`).
 */
export const MatchmakingId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9.-]+$/, 'expected 1-128 letters, digits, - and .');

/** A ticket's status, as `DescribeMatchmaking` reports it. */
export const TicketStatus = z.enum([
  'CANCELLED',
  'COMPLETED',
  'FAILED',
  'PLACING',
  'QUEUED',
  'REQUIRES_ACCEPTANCE',
  'SEARCHING',
  'TIMED_OUT',
]);

/**
 * One player of a ticket. `LatencyInMs` is keyed by AWS region code (`eu-west-1`), each value
 * a whole number of ms, at least 1, as `StartMatchmaking` accepts them.
 */
export const TicketPlayer = z
  .object({
    PlayerId: z.string().min(1).max(1024),
    Team: z.string().min(1).max(1024).optional(),
    LatencyInMs: z.record(z.string().min(1).max(1024), z.number().int().min(1)).optional(),
  })
  .strict();
export type TicketPlayer = z.infer<typeof TicketPlayer>;

/** A ticket as registered: the stand-in fills in the status, the ARN and the times. */
export const TicketRegistration = z
  .object({
    TicketId: MatchmakingId,
    ConfigurationName: MatchmakingId,
    Status: TicketStatus.default('COMPLETED'),
    Players: z.array(TicketPlayer).min(1).max(200),
  })
  .strict();
export type TicketRegistration = z.input<typeof TicketRegistration>;

/** A ticket as `DescribeMatchmaking` answers it (the fields the stand-in fills). */
export interface MatchmakingTicket {
  readonly TicketId: string;
  readonly ConfigurationName: string;
  readonly ConfigurationArn: string;
  readonly Status: z.infer<typeof TicketStatus>;
  /** Epoch seconds, as the JSON 1.1 protocol writes timestamps. */
  readonly StartTime: number;
  readonly EndTime?: number;
  readonly Players: readonly TicketPlayer[];
}

/** Where the stand-in says its configurations live (their ARNs). */
export interface TicketBookOptions {
  readonly region: string;
  readonly account: string;
  /** Epoch ms; the stand-in's clock. */
  readonly now: () => number;
}

/** The registered tickets, by id. */
export class TicketBook {
  readonly #tickets = new Map<string, MatchmakingTicket>();
  readonly #options: TicketBookOptions;

  constructor(options: TicketBookOptions) {
    this.#options = options;
  }

  /** Register (or replace) tickets; each is validated, and an error names the bad field. */
  register(...tickets: readonly TicketRegistration[]): MatchmakingTicket[] {
    const parsed = tickets.map((t) => TicketRegistration.parse(t));
    const seconds = this.#options.now() / 1000;
    return parsed.map((t) => {
      const ticket: MatchmakingTicket = {
        TicketId: t.TicketId,
        ConfigurationName: t.ConfigurationName,
        ConfigurationArn: this.configurationArn(t.ConfigurationName),
        Status: t.Status,
        StartTime: seconds,
        ...(t.Status === 'COMPLETED' ? { EndTime: seconds } : {}),
        Players: t.Players,
      };
      this.#tickets.set(ticket.TicketId, ticket);
      return ticket;
    });
  }

  /** The ARN GameLift gives a configuration of this name in the stand-in's region and account. */
  configurationArn(name: string): string {
    return `arn:aws:gamelift:${this.#options.region}:${this.#options.account}:matchmakingconfiguration/${name}`;
  }

  get(ticketId: string): MatchmakingTicket | undefined {
    return this.#tickets.get(ticketId);
  }

  /** The known tickets among `ticketIds`, in the order asked, each once; unknown ids omitted. */
  describe(ticketIds: readonly string[]): MatchmakingTicket[] {
    const out: MatchmakingTicket[] = [];
    for (const id of new Set(ticketIds)) {
      const ticket = this.#tickets.get(id);
      if (ticket) out.push(ticket);
    }
    return out;
  }

  remove(ticketId: string): boolean {
    return this.#tickets.delete(ticketId);
  }

  clear(): void {
    this.#tickets.clear();
  }

  get size(): number {
    return this.#tickets.size;
  }
}
