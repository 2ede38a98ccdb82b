/**
 * `npm start`: the whole bridge on this machine, end to end. A simulated matchmaker sends
 * matches (some twice, a few malformed) to the local matches queue, as MatchFound v1 or as
 * FlexMatch, Open Match 2 or Nakama would send them (`--matchmaker`; FlexMatch's ticket
 * latencies come from the GameLift stand-in); the real
 * placement handler places them through the Gameye emulator; a simulated game backend reads
 * SessionReady events, lets players join and leave, and ends some matches early; the reaper
 * runs on a short schedule. At the end the summary is read back from the services.
 */
import { readFileSync } from 'node:fs';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../../lambdas/adapters/sqs-dead-letter.ts';
import { SessionEvent } from '../../../lambdas/core/events.ts';
import { GameyeClient } from '../../../lambdas/gameye/index.ts';
import { LOCAL_CONFIG_PATH, type LocalBridge, startLocalBridge } from '../local-bridge.ts';
import { type PlannedMatch, planMatches } from './matchmaker.ts';
import { type Matchmaker, renderMatch } from './native-formats.ts';
import { computeSummary, queueDepth, type RunSummary, scanRecords } from './summary.ts';

export interface RunOptions {
  readonly matches: number;
  /** Matches per second the matchmaker forms. */
  readonly rate: number;
  readonly seed: number;
  /** Players per match, inclusive. @default [2, 10] */
  readonly players?: readonly [number, number];
  /** Give up waiting for the fleet to settle after this long. */
  readonly timeoutSeconds: number;
  /** The format the matchmaker sends. @default 'match-found' (MatchFound v1) */
  readonly matchmaker?: Matchmaker;
  /** Where progress goes (stderr, so `--json` keeps stdout clean). */
  readonly progress: (line: string, final?: boolean) => void;
}

/** Reaper policy of the simulation: minutes of a real match compressed into seconds. */
const SIM_POLICY = { idleTimeoutMs: 4_000, joinGraceMs: 6_000, maxLifetimeMs: 120_000 } as const;
/** The reaper's schedule in the simulation (one minute in AWS). */
const SIM_REAPER_EVERY_MS = 1_500;
/** How long the GameLift stand-in takes to answer, as GameLift does from inside AWS. */
const SIM_GAMELIFT_LATENCY_MS = 20;

/** `config/local.config.json` with the simulation's compressed reaper policy. */
export function simulationConfig(): unknown {
  const config = JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as { profiles: Record<string, object> };
  for (const [name, profile] of Object.entries(config.profiles))
    config.profiles[name] = { ...profile, ...SIM_POLICY };
  return config;
}

/**
 * Run the simulation on a fresh local bridge, or on `bridge` when given (a test passes its own
 * to inspect the services afterwards; it is then left running).
 */
export async function runSimulation(options: RunOptions, bridge?: LocalBridge): Promise<RunSummary> {
  const startedAt = Date.now();
  if (bridge) return simulate(bridge, options, startedAt);
  const own = await startLocalBridge({
    bridgeConfig: simulationConfig(),
    gameLiftLatencyMs: SIM_GAMELIFT_LATENCY_MS,
  });
  try {
    return await simulate(own, options, startedAt);
  } finally {
    await own.close();
  }
}

async function simulate(bridge: LocalBridge, options: RunOptions, startedAt: number): Promise<RunSummary> {
  const matchmaker = options.matchmaker ?? 'match-found';
  const plan = planMatches({
    matches: options.matches,
    seed: options.seed,
    matchmaker,
    ...(options.players ? { minPlayers: options.players[0], maxPlayers: options.players[1] } : {}),
  });
  const sqs = bridge.aws.clients.sqs;
  const gameye = new GameyeClient({ baseUrl: bridge.emulator.url, token: bridge.emulator.token });
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => Promise<void>): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn().catch(() => undefined);
    }, ms);
    timers.add(t);
  };
  const byId = new Map(plan.matches.map((m) => [m.matchId, m]));
  let stop = false;

  bridge.eventSource.start();

  // The reaper on a short schedule, as EventBridge Scheduler runs it in AWS (never overlapping).
  const reaper = (async () => {
    while (!stop) {
      await bridge.runReaperOnce({ budgetMs: 10_000, reserveMs: 0 }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, SIM_REAPER_EVERY_MS));
    }
  })();

  const onReady = (match: PlannedMatch, sessionId: string): void => {
    if (match.fate === 'never-joined') return;
    const players = match.players.map((p) => p.id);
    later(300, async () => {
      await gameye.joinPlayers(sessionId, players);
    });
    if (match.fate === 'crashed') {
      // The game server dies: in Gameye's words its container exits.
      later(match.playSeconds * 1000, async () => {
        bridge.emulator.admin.crash(sessionId, 'exited');
      });
    } else if (match.fate === 'played') {
      later(match.playSeconds * 1000, async () => {
        await gameye.leavePlayers(players);
      });
    } else {
      later(match.playSeconds * 1000, async () => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: bridge.resources.matchesQueueUrl,
            MessageBody: JSON.stringify({
              type: 'MatchEnded',
              version: 1,
              matchId: match.matchId,
              reason: 'surrender',
            }),
          }),
        );
      });
    }
  };

  // The game backend: reacts to session events as a studio's backend would.
  const backend = (async () => {
    const seen = new Set<string>();
    while (!stop) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: bridge.resources.backendQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const msg of out.Messages ?? []) {
        const envelope = JSON.parse(msg.Body ?? '{}') as { Message?: string };
        const event = SessionEvent.safeParse(JSON.parse(envelope.Message ?? '{}'));
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: bridge.resources.backendQueueUrl,
            ReceiptHandle: msg.ReceiptHandle ?? '',
          }),
        );
        if (!event.success || event.data.type !== 'SessionReady') continue;
        // At-least-once delivery: the session id is the deduplication key.
        if (seen.has(event.data.sessionId)) continue;
        seen.add(event.data.sessionId);
        const match = byId.get(event.data.matchId);
        if (match) onReady(match, event.data.sessionId);
      }
    }
  })();

  // The matchmaker: forms matches at the requested rate; some deliveries twice, a few malformed.
  let sent = 0;
  let deliveries = 0;
  const interval = 1000 / options.rate;
  const malformedEvery = Math.max(1, Math.floor(plan.matches.length / Math.max(1, plan.malformed.length)));
  let malformedSent = 0;
  const progress = setInterval(() => {
    void report(bridge, options, { sent, total: plan.matches.length }).catch(() => undefined);
  }, 1000);
  try {
    for (const [i, m] of plan.matches.entries()) {
      const due = startedAt + i * interval;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const native = renderMatch(matchmaker, m, new Date());
      // FlexMatch knows its tickets before it announces the match.
      if (native.tickets.length > 0) bridge.gamelift.tickets.register(...native.tickets);
      for (let d = 0; d < m.deliveries; d++) {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: bridge.resources.matchesQueueUrl, MessageBody: native.body }),
        );
        deliveries++;
      }
      sent++;
      if (i % malformedEvery === 0 && malformedSent < plan.malformed.length) {
        const bad = plan.malformed[malformedSent++];
        if (bad)
          await sqs.send(
            new SendMessageCommand({ QueueUrl: bridge.resources.matchesQueueUrl, MessageBody: bad.body }),
          );
      }
    }

    // Wait until every match is placed or failed, every started server is stopped again, and
    // no delivery is left in the queue (a duplicate that lost its claim race comes back later).
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      const records = await scanRecords(bridge);
      const settled = records.filter((r) => r.state === 'ENDED' || r.state === 'FAILED').length;
      const allSettled = records.length >= plan.matches.length && settled === records.length;
      if (allSettled && (await queueDepth(sqs, bridge.resources.matchesQueueUrl)) === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    clearInterval(progress);
    stop = true;
    for (const t of timers) clearTimeout(t);
    await backend.catch(() => undefined);
    await reaper.catch(() => undefined);
  }
  await report(bridge, options, { sent, total: plan.matches.length }, true);

  const dlqReasons = await peekDeadLetterReasons(bridge);
  const summary = await computeSummary(bridge, {
    seed: options.seed,
    matchmaker,
    startedAt,
    sent: { matches: plan.matches.length, deliveries, malformed: malformedSent },
    matchIds: plan.matches.map((m) => m.matchId),
    dlqReasons,
  });
  await gameye.close();
  return summary;
}

async function report(
  bridge: LocalBridge,
  options: RunOptions,
  s: { sent: number; total: number },
  final = false,
): Promise<void> {
  const records = await scanRecords(bridge);
  const count = (state: string) => records.filter((r) => r.state === state).length;
  const running = bridge.emulator.admin
    .sessions()
    .filter((x) => !['exited', 'dead'].includes(x.status)).length;
  options.progress(
    `sent ${s.sent}/${s.total} · placing ${count('PLACING')} · ready ${count('READY')} · ending ${count('ENDING')} · ` +
      `ended ${count('ENDED')} · failed ${count('FAILED')} · servers running ${running}`,
    final,
  );
}

/** The DLQ's messages' reasons, read without deleting them (each message counted once). */
async function peekDeadLetterReasons(bridge: LocalBridge): Promise<string[]> {
  const reasons = new Map<string, string>();
  for (let idle = 0; idle < 3; ) {
    const out = await bridge.aws.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: bridge.resources.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    let fresh = 0;
    for (const m of out.Messages ?? []) {
      if (reasons.has(m.MessageId ?? '')) continue;
      fresh++;
      reasons.set(m.MessageId ?? '', m.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue ?? 'unknown');
    }
    idle = fresh === 0 ? idle + 1 : 0;
  }
  return [...reasons.values()];
}
