/**
 * A plausible Lambda environment for the cold-start benchmarks, so init code that parses it
 * runs as it does in AWS: the bridge configuration is the repository's own example.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FUNCTION_ENV } from '../lambdas/shared/resources.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export const FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  [FUNCTION_ENV.tableName]: 'bench-sessions',
  [FUNCTION_ENV.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:session-events',
  [FUNCTION_ENV.deadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-dlq',
  [FUNCTION_ENV.matchesQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-matches',
  [FUNCTION_ENV.maxReceiveCount]: '5',
  [FUNCTION_ENV.archiveBucketName]: 'bench-archive',
  [FUNCTION_ENV.gameyeBaseUrl]: 'https://api.sandbox-gameye.gameye.net',
  [FUNCTION_ENV.gameyeTokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-AbCdEf',
  [FUNCTION_ENV.bridgeConfig]: readFileSync(path.join(ROOT, 'config/bridge.config.json'), 'utf8'),
  [FUNCTION_ENV.powertoolsServiceName]: 'gameye-match-bridge',
  [FUNCTION_ENV.powertoolsMetricsNamespace]: 'GameyeMatchBridge',
};

/**
 * A script for `node --input-type=module -e` that imports `url` and prints `[wall, cpu]`: the
 * wall-clock and CPU (user + system, every thread) milliseconds of the import.
 */
export const CPU_IMPORT_SCRIPT = (url: string): string =>
  [
    'const c = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(url)});`,
    'const wall = performance.now() - t; const u = process.cpuUsage(c);',
    'console.log(JSON.stringify([wall, (u.user + u.system) / 1000]));',
  ].join(' ');
