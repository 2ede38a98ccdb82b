/**
 * FlexMatch's tickets over `@aws-sdk/client-gamelift`: `DescribeMatchmaking` (GameLift API
 * reference: request `TicketIds`, up to 10; response `TicketList` of `MatchmakingTicket`, each
 * with `TicketId` and `Players`, each `Player` with `PlayerId` and `LatencyInMs`, a map of AWS
 * region code to milliseconds). Tickets GameLift no longer has are simply absent from the list.
 *
 * The answer is validated (a boundary like any other) and every SDK failure becomes a
 * `MatchmakerCallError` saying what it means. The SDK's own retries stay on (standard mode:
 * throttling and 5xx are retried with backoff inside the call), bounded by `maxAttempts` and a
 * per-request timeout so a hung connection cannot hold the batch. The SDK reads the standard
 * AWS environment, including `AWS_ENDPOINT_URL_GAMELIFT` (the local GameLift stand-in).
 */
import {
  DescribeMatchmakingCommand,
  GameLiftClient,
  type GameLiftClientConfig,
} from '@aws-sdk/client-gamelift';
import * as z from 'zod';
import { MatchmakerCallError, type MatchmakerFailure } from '../core/errors.ts';
import type { DescribedTicket, MatchmakingTickets } from '../core/ports.ts';

/** Attempts per call, the first included (the SDK's default is 3). */
export const GAMELIFT_MAX_ATTEMPTS = 3;
/** Time one HTTP request may take before it is abandoned (and retried while attempts are left). */
export const GAMELIFT_REQUEST_TIMEOUT_MS = 3_000;

/**
 * What the bridge reads of an answer; other fields are GameLift's business. Built on first use,
 * not at cold start.
 */
const DescribeMatchmakingAnswer = z.lazy(() =>
  z.object({
    TicketList: z
      .array(
        z.object({
          TicketId: z.string(),
          Players: z
            .array(
              z.object({
                PlayerId: z.string(),
                LatencyInMs: z.record(z.string(), z.number()).optional(),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
  }),
);

export interface GameLiftMatchmakingTicketsProps {
  readonly client: Pick<GameLiftClient, 'send'>;
}

export class GameLiftMatchmakingTickets implements MatchmakingTickets {
  readonly #client: Pick<GameLiftClient, 'send'>;

  constructor(props: GameLiftMatchmakingTicketsProps) {
    this.#client = props.client;
  }

  async describeTickets(ticketIds: readonly string[]): Promise<readonly DescribedTicket[]> {
    if (ticketIds.length === 0) return [];
    let answer: unknown;
    try {
      answer = await this.#client.send(new DescribeMatchmakingCommand({ TicketIds: [...ticketIds] }));
    } catch (error) {
      throw toMatchmakerError(error);
    }
    const parsed = DescribeMatchmakingAnswer.safeParse(answer);
    if (!parsed.success) {
      throw new MatchmakerCallError({
        kind: 'unavailable',
        message: `DescribeMatchmaking answered outside its contract: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        cause: parsed.error,
      });
    }
    return (parsed.data.TicketList ?? []).map((t) => ({
      ticketId: t.TicketId,
      players: (t.Players ?? []).map((p) => ({ playerId: p.PlayerId, latencyInMs: p.LatencyInMs ?? {} })),
    }));
  }
}

/** The GameLift client placement uses: bounded attempts and request time. */
export function gameLiftClient(config: GameLiftClientConfig = {}): GameLiftClient {
  return new GameLiftClient({
    maxAttempts: GAMELIFT_MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: GAMELIFT_REQUEST_TIMEOUT_MS,
      connectionTimeout: GAMELIFT_REQUEST_TIMEOUT_MS,
    },
    ...config,
  });
}

/** The ticket lookup over a new GameLift client. */
export function gameLiftTickets(config: GameLiftClientConfig = {}): MatchmakingTickets {
  return new GameLiftMatchmakingTickets({ client: gameLiftClient(config) });
}

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const DENIED = new Set([
  'UnauthorizedException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);
const REJECTED = new Set(['InvalidRequestException', 'UnsupportedRegionException', 'NotFoundException']);

/** What an SDK failure means, from its name and HTTP status; a network failure is `unavailable`. */
export function toMatchmakerError(error: unknown): MatchmakerCallError {
  const e = error as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const status = e?.$metadata?.httpStatusCode;
  const kind: MatchmakerFailure =
    THROTTLED.has(name) || status === 429
      ? 'throttled'
      : DENIED.has(name) || status === 401 || status === 403
        ? 'denied'
        : REJECTED.has(name)
          ? 'rejected'
          : 'unavailable';
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : name;
  return new MatchmakerCallError({
    kind,
    message: `DescribeMatchmaking failed (${name}${status === undefined ? '' : `, HTTP ${status}`}): ${message}`,
    code: name,
    requestId: e?.$metadata?.requestId,
    cause: error,
  });
}
