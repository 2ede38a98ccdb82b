/**
 * A local stand-in for Amazon GameLift's `DescribeMatchmaking`, the one GameLift call the
 * bridge makes: it looks up the FlexMatch tickets of a match for their players' latencies.
 * Real HTTP on loopback, speaking GameLift's AWS JSON 1.1 protocol, so the bridge's adapter
 * runs unchanged over `@aws-sdk/client-gamelift`, pointed here by `AWS_ENDPOINT_URL_GAMELIFT`.
 *
 * @example
 * const gamelift = await startGameLiftStandIn({ latencyMs: 20 });
 * process.env.AWS_ENDPOINT_URL_GAMELIFT = gamelift.url;
 * gamelift.tickets.register({ TicketId: 't-1', ConfigurationName: 'ranked', Players: [
 *   { PlayerId: 'p-1', Team: 'red', LatencyInMs: { 'eu-west-1': 24, 'us-east-1': 92 } },
 * ] });
 * gamelift.faults.failNext('throttling');
 * await gamelift.close();
 */
import type { AddressInfo } from 'node:net';
import { FaultControls } from './faults.ts';
import { createStandInServer, type DescribeCall, defaultSleep, type Sleep } from './server.ts';
import { TicketBook } from './tickets.ts';

export { type FaultKind, FaultSettings } from './faults.ts';
export type { DescribeCall, Sleep } from './server.ts';
export { type MatchmakingTicket, TicketPlayer, TicketRegistration } from './tickets.ts';

/** The account the stand-in's configuration ARNs name, unless told otherwise. */
export const STANDIN_ACCOUNT = '123456789012';

export interface GameLiftStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Region in the configuration ARNs. @default 'us-east-1' */
  readonly region?: string;
  /** Account in the configuration ARNs. @default STANDIN_ACCOUNT */
  readonly account?: string;
  /** Every answer waits this long, in ms. @default 0 */
  readonly latencyMs?: number;
  /** How the answer latency is waited out; tests pass one they release themselves. */
  readonly sleep?: Sleep;
  /** The stand-in's clock (ticket start times), epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** A listening stand-in and its in-process controls. */
export interface RunningGameLiftStandIn {
  /** e.g. `http://127.0.0.1:41234`: the value of `AWS_ENDPOINT_URL_GAMELIFT`. */
  readonly url: string;
  /** The tickets it answers for; register a match's tickets before announcing the match. */
  readonly tickets: TicketBook;
  /** Fault injection and answer latency. */
  readonly faults: FaultControls;
  /** Every `DescribeMatchmaking` call so far, in order (faulted ones included). */
  calls(): readonly DescribeCall[];
  /** No tickets, no faults, no latency, no calls recorded. */
  reset(): void;
  /** Stops listening, ends waits in progress and closes every connection. */
  close(): Promise<void>;
}

/** Start a stand-in on loopback. */
export async function startGameLiftStandIn(
  options: GameLiftStandInOptions = {},
): Promise<RunningGameLiftStandIn> {
  const tickets = new TicketBook({
    region: options.region ?? 'us-east-1',
    account: options.account ?? STANDIN_ACCOUNT,
    now: options.now ?? Date.now,
  });
  const faults = new FaultControls(options.latencyMs ?? 0);
  const calls: DescribeCall[] = [];
  const closing = new AbortController();
  const server = createStandInServer({
    tickets,
    faults,
    calls,
    sleep: options.sleep ?? defaultSleep,
    closing: closing.signal,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    tickets,
    faults,
    calls: () => [...calls],
    reset() {
      tickets.clear();
      faults.clear();
      calls.length = 0;
    },
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
