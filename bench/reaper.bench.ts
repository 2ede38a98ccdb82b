/**
 * Reaper benchmark on local services (a node script, not a test):
 *   node bench/reaper.bench.ts [sessions=10000] [idle=1000]
 * 1. One run over N active sessions that stops nothing: wall time, Gameye calls (emulator
 *    stats), DynamoDB requests (RequestCounter on the reaper's own client).
 * 2. M of them go idle: runs until all are stopped and archived, with progress.
 */
import { performance } from 'node:perf_hooks';
import { seedSessions } from '../test/integration/reaper-seed.ts';
import { defaultEmulatorConfigInput } from '../tools/gameye-emulator/index.ts';
import { emulatorClock, startLocalBridge } from '../tools/local/local-bridge.ts';

const N = Number(process.argv[2] ?? 10_000);
const IDLE = Number(process.argv[3] ?? 1_000);

const emulatorConfig = structuredClone(defaultEmulatorConfigInput);
for (const r of emulatorConfig.regions) r.capacity = N + 1_000;
let clock: { now(): number } = { now: () => Date.now() };
const bridge = await startLocalBridge({
  emulatorConfig: { ...emulatorConfig, startupDelayMs: 0 },
  clock: { now: () => clock.now() },
});
clock = emulatorClock(bridge.emulator);
const admin = bridge.emulator.admin;
try {
  const t0 = performance.now();
  const matchIds = Array.from({ length: N }, (_, i) => `bench-${i}`);
  const now = new Date(admin.now()).toISOString();
  const ids = await seedSessions({
    emulator: bridge.emulator,
    dynamodb: bridge.aws.clients.dynamodb,
    tableName: bridge.resources.tableName,
    config: bridge.env.config,
    matchIds,
    profile: 'arena-casual',
    location: 'eu-west-1',
    patch: { firstPlayerAt: now },
    parallel: 64,
  });
  for (const id of ids.values()) admin.setPlayerCount(id, 1);
  console.log(`seeded ${N} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const statsBefore = admin.stats();
  bridge.reaper.requests.reset();
  const t1 = performance.now();
  const quiet = await bridge.runReaperOnce();
  const wall = performance.now() - t1;
  const stats = admin.stats();
  const gameyeCalls = Object.entries(stats).reduce(
    (n, [op, c]) => n + c - (statsBefore[op as keyof typeof stats] ?? 0),
    0,
  );
  console.log('run stopping nothing:', {
    wallMs: Math.round(wall),
    active: quiet.active,
    gameyeCalls,
    dynamodbRequests: bridge.reaper.requests.total('dynamodb'),
    byCommand: bridge.reaper.requests.snapshot(),
    ended: quiet.ended,
  });

  const idle = matchIds.slice(0, IDLE).map((m) => ids.get(m) as string);
  for (const id of idle) admin.setPlayerCount(id, 0);
  const t2 = performance.now();
  let stopped = 0;
  let runs = 0;
  admin.advanceClock(1_000);
  await bridge.runReaperOnce({ concurrency: 8 });
  runs++;
  admin.advanceClock(21_000);
  while (stopped < IDLE && runs < 50) {
    const r = await bridge.runReaperOnce({ concurrency: 8 });
    runs++;
    stopped += r.ended;
    console.log(
      `run ${runs}: ended ${r.ended}, pending ${r.pending}, total ${stopped}/${IDLE}, ${((performance.now() - t2) / 1000).toFixed(1)} s`,
    );
  }
  console.log(
    `stopped and archived ${stopped} idle sessions in ${((performance.now() - t2) / 1000).toFixed(1)} s over ${runs} runs`,
  );
} finally {
  await bridge.close();
}
