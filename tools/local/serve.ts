/**
 * `npm start -- --serve`: the local stack, kept running for manual use. Prints where each
 * service listens and records it in `.local/stack.json` for the `bridge` CLI. Ctrl-C stops
 * everything and removes the file; nothing keeps running.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_REGION } from './local-aws.ts';
import { LOCAL_CONFIG_PATH, startLocalBridge } from './local-bridge.ts';
import { LOCAL_DATA_DIR, removeStackFile, STACK_FILE, writeStackFile } from './stack-file.ts';

/** How often the reaper runs while serving. */
const REAPER_EVERY_MS = 10_000;

export async function serve(): Promise<number> {
  // State lives in .local/ and survives a restart; the emulator starts empty each time, so the
  // reaper ends sessions recorded by an earlier run as gone.
  const bridge = await startLocalBridge({ logLevel: 'INFO', dataDir: LOCAL_DATA_DIR });
  bridge.eventSource.start();
  // The reaper's schedule: every minute in AWS, every REAPER_EVERY_MS here.
  let reaping = Promise.resolve();
  const schedule = setInterval(() => {
    reaping = reaping.then(() =>
      bridge.runReaperOnce().then(
        () => undefined,
        () => undefined,
      ),
    );
  }, REAPER_EVERY_MS);
  const configPath = fileURLToPath(LOCAL_CONFIG_PATH);
  writeStackFile({
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configPath,
    endpoints: {
      dynamodb: bridge.aws.endpoints.dynamodb,
      messaging: bridge.aws.endpoints.messaging,
      gameye: bridge.emulator.url,
      gamelift: bridge.gamelift.url,
    },
    gameyeToken: bridge.emulator.token,
    region: LOCAL_REGION,
    resources: bridge.resources,
  });
  const out = process.stderr;
  out.write(
    [
      'The bridge is running locally. Ctrl-C stops it.',
      `  DynamoDB (dynalite)        ${bridge.aws.endpoints.dynamodb}   table ${bridge.resources.tableName}`,
      `  SQS / SNS / S3 (fauxqs)    ${bridge.aws.endpoints.messaging}`,
      `    matches queue            ${bridge.resources.matchesQueueUrl}`,
      `    dead-letter queue        ${bridge.resources.deadLetterQueueUrl}`,
      `    session-events topic     ${bridge.resources.topicArn}`,
      `    game backend queue       ${bridge.resources.backendQueueUrl}`,
      `    archive bucket           ${bridge.resources.bucket}   (files under ${relative(process.cwd(), LOCAL_DATA_DIR)}/s3)`,
      `  Gameye emulator            ${bridge.emulator.url}`,
      `  GameLift stand-in          ${bridge.gamelift.url}   (DescribeMatchmaking; register tickets: PUT /__admin/tickets)`,
      `  config                     ${relative(process.cwd(), configPath)}`,
      `  reaper                     every ${REAPER_EVERY_MS / 1000} s`,
      `  endpoints recorded in      ${relative(process.cwd(), STACK_FILE)}`,
      '',
      'Try:  npx bridge send-match --file schemas/examples/match-found.json',
      '      npx bridge send-match --format openmatch2 --file schemas/examples/openmatch2-match.json',
      '      npx bridge sessions',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.write('\nstopping…\n');
  clearInterval(schedule);
  await reaping;
  removeStackFile();
  await bridge.close();
  return 0;
}
