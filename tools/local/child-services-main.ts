/**
 * Local services (dynalite, fauxqs, the Gameye emulator) in a process of their own, for
 * benchmarks and memory tests: in AWS the bridge shares neither its CPU nor its memory with
 * DynamoDB, S3 or Gameye, so measuring it beside them in one process would charge their work
 * (and fauxqs's stored objects) to the bridge.
 *
 * Prints one JSON line with endpoints and resources, then serves until stdin closes.
 * Emulator config: JSON in the env var BENCH_EMULATOR_CONFIG (optional).
 */

import { startEmulator } from '../gameye-emulator/index.ts';
import { provisionLocalResources, startLocalAws } from './local-aws.ts';

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
