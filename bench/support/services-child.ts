/**
 * Local services (dynalite, fauxqs, the Gameye emulator) in a process of their own, for
 * benchmarks: in AWS the bridge does not share its CPU with DynamoDB or Gameye, so a
 * benchmark that ran them on the handler's event loop would charge their work to the bridge.
 *
 * Prints one JSON line with endpoints and resources, then serves until stdin closes.
 * Emulator config: JSON in the env var BENCH_EMULATOR_CONFIG (optional).
 */

import { startEmulator } from '../../lib/local/gameye-emulator/index.ts';
import { provisionLocalResources, startLocalAws } from '../../lib/local/local-aws.ts';

const aws = await startLocalAws();
const resources = await provisionLocalResources(aws.clients);
const config = process.env.BENCH_EMULATOR_CONFIG ? JSON.parse(process.env.BENCH_EMULATOR_CONFIG) : undefined;
const emulator = await startEmulator(config ? { config } : {});
process.stdout.write(
  `${JSON.stringify({ endpoints: aws.endpoints, resources, gameye: { url: emulator.url, token: emulator.token } })}\n`,
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await emulator.close();
  await aws.close();
  process.exit(0);
});
