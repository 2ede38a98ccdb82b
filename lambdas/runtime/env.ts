/**
 * The functions' environment, parsed once at cold start by zod. An error names
 * every missing or bad variable. Only the composition root reads `process.env`; adapters get
 * their names and clients in their constructors.
 */
import * as z from 'zod';
import { type BridgeConfig, parseBridgeConfig } from '../core/config.ts';
import { fieldIssues } from '../core/issues.ts';
import { FUNCTION_ENV } from '../shared/resources.ts';

/** How the Gameye token is found: a Secrets Manager ARN in AWS, the token itself locally. */
export type TokenSource = { readonly secretArn: string } | { readonly token: string };

export interface RuntimeEnv {
  readonly tableName: string;
  readonly topicArn: string;
  readonly deadLetterQueueUrl?: string | undefined;
  /** The matches queue: placement spaces out the retries of its messages. */
  readonly matchesQueueUrl?: string | undefined;
  /** The matches queue's maxReceiveCount: the delivery that reaches it is the last. */
  readonly maxReceiveCount?: number | undefined;
  readonly archiveBucketName?: string | undefined;
  /** The reaper's schedule, in minutes between runs. */
  readonly reaperRateMinutes?: number | undefined;
  readonly gameyeBaseUrl: string;
  readonly token: TokenSource;
  readonly config: Readonly<BridgeConfig>;
}

/** Local mode only: the token itself (a deployed function reads it from Secrets Manager, never its env). */
export const LOCAL_TOKEN_ENV = 'GAMEYE_TOKEN';

const Env = z.object({
  [FUNCTION_ENV.tableName]: z.string().min(1),
  [FUNCTION_ENV.topicArn]: z.string().min(1),
  [FUNCTION_ENV.deadLetterQueueUrl]: z.url().optional(),
  [FUNCTION_ENV.matchesQueueUrl]: z.url().optional(),
  [FUNCTION_ENV.maxReceiveCount]: z.coerce.number().int().min(1).max(1000).optional(),
  [FUNCTION_ENV.archiveBucketName]: z.string().min(1).optional(),
  [FUNCTION_ENV.reaperRateMinutes]: z.coerce.number().int().min(1).max(1440).optional(),
  [FUNCTION_ENV.gameyeBaseUrl]: z.url(),
  [FUNCTION_ENV.gameyeTokenSecretArn]: z.string().min(1).optional(),
  [LOCAL_TOKEN_ENV]: z.string().min(1).optional(),
  [FUNCTION_ENV.bridgeConfig]: z.string().min(2),
});

export class RuntimeEnvError extends Error {
  override readonly name = 'RuntimeEnvError';
}

/** Hosts Gameye may be reached on over plain http: the emulator in local mode, never the network. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The Gameye URL, refused unless it is https: the bearer token travels in every request. The
 * construct checks this at synth; this is for an environment edited by hand afterwards.
 * Only the scheme and host are quoted, never the whole URL (it may carry credentials).
 */
function checkGameyeBaseUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return value;
  const name = FUNCTION_ENV.gameyeBaseUrl;
  throw new RuntimeEnvError(
    `invalid function environment: ${name} must be an https:// URL, got ${url.protocol}//${url.host}: ` +
      `the Gameye token would travel in the clear. Set ${name} to Gameye's https:// URL ` +
      '(http:// is allowed only for a loopback host, 127.0.0.1, ::1 or localhost, in local mode)',
  );
}

/**
 * The function's environment, checked: every variable's shape, a token source, the bridge
 * configuration, and an https Gameye URL. Throws {@link RuntimeEnvError} naming what is wrong.
 */
export function parseRuntimeEnv(env: Readonly<Record<string, string | undefined>>): RuntimeEnv {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const where = fieldIssues(parsed.error)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    throw new RuntimeEnvError(`invalid function environment: ${where}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const secretArn = e[FUNCTION_ENV.gameyeTokenSecretArn];
  const token = e[LOCAL_TOKEN_ENV];
  if (secretArn === undefined && token === undefined) {
    throw new RuntimeEnvError(
      `invalid function environment: set ${FUNCTION_ENV.gameyeTokenSecretArn} (a Secrets Manager ARN) or, locally, ${LOCAL_TOKEN_ENV}`,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(e[FUNCTION_ENV.bridgeConfig]);
  } catch (err) {
    throw new RuntimeEnvError(`invalid function environment: ${FUNCTION_ENV.bridgeConfig} is not JSON`, {
      cause: err,
    });
  }
  return {
    tableName: e[FUNCTION_ENV.tableName],
    topicArn: e[FUNCTION_ENV.topicArn],
    deadLetterQueueUrl: e[FUNCTION_ENV.deadLetterQueueUrl],
    matchesQueueUrl: e[FUNCTION_ENV.matchesQueueUrl],
    maxReceiveCount: e[FUNCTION_ENV.maxReceiveCount],
    archiveBucketName: e[FUNCTION_ENV.archiveBucketName],
    reaperRateMinutes: e[FUNCTION_ENV.reaperRateMinutes],
    gameyeBaseUrl: checkGameyeBaseUrl(e[FUNCTION_ENV.gameyeBaseUrl]),
    token: secretArn !== undefined ? { secretArn } : { token: token as string },
    config: parseBridgeConfig(config),
  };
}
