/**
 * Where the CLI points: the running local stack (default; found through `.local/stack.json`)
 * or a deployed stack (`--stack <name>`; its CloudFormation outputs, standard AWS
 * credentials, the Gameye token from Secrets Manager or `GAMEYE_TOKEN`, and an https Gameye
 * URL chosen by `gameye-url.ts`).
 *
 * Everything is resolved lazily: `bridge dlq` never reads the Gameye token, `bridge logs`
 * never parses the bridge config. The token goes straight into the Gameye client's private
 * field and is never returned, printed or put into an error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type BridgeConfig, parseBridgeConfig } from '../../lambdas/core/config.ts';
import { ConfigError } from '../../lambdas/core/errors.ts';
import { GameyeClient } from '../../lambdas/gameye/index.ts';
import { isSecretWithoutValue } from '../../lambdas/runtime/secret-errors.ts';
import { type LocalStackFile, readStackFile, STACK_FILE } from '../local/stack-file.ts';
import { CliError, isConnectionFailure, UnreachableError, UsageError } from './errors.ts';
import { writeLine } from './format.ts';
import { chooseDeployedGameyeUrl } from './gameye-url.ts';
import type { CliIo } from './io.ts';

/** Global options every command accepts. */
export interface TargetOptions {
  /** A deployed stack's name: deployed mode. Absent: the local stack. */
  readonly stack?: string | undefined;
  /** Where the local stack file is. @default `$BRIDGE_STACK_FILE` or `.local/stack.json` */
  readonly stackFile?: string | undefined;
  /** The bridge config file (aliases, profiles). */
  readonly config?: string | undefined;
  /**
   * Deployed mode: the Gameye API, https only; it overrides the stack's `GameyeBaseUrl` output.
   * @default the stack's `GameyeBaseUrl` output, else `$GAMEYE_BASE_URL`, else production
   */
  readonly gameyeUrl?: string | undefined;
}

export interface TargetClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly s3: S3Client;
}

export interface TargetResources {
  readonly tableName: string;
  readonly matchesQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly topicArn: string;
  readonly archiveBucket: string;
}

export interface Target {
  readonly mode: 'local' | 'deployed';
  /** For messages: `local stack (pid 4242)` or `stack GameyeMatchBridge (eu-west-1)`. */
  readonly label: string;
  readonly clients: TargetClients;
  readonly resources: TargetResources;
  readonly configPath: string;
  /** The bridge config, parsed on first use; a bad file is a UsageError naming its fields. */
  config(): Readonly<BridgeConfig>;
  /** A Gameye client for this stack, built on first use. */
  gameye(): Promise<GameyeClient>;
  /**
   * Base URL and token, for composition roots that build their own client (the reaper's).
   * The token must go straight into a client: never print or log it.
   */
  gameyeAccess(): Promise<GameyeAccess>;
  /** Turn a failure into the CLI's error shape (connection failures become exit 3). */
  explain(error: unknown): unknown;
  close(): Promise<void>;
}

export interface GameyeAccess {
  readonly baseUrl: string;
  readonly token: string;
}

/** Outputs of `lib/bridge-stack.ts` the CLI cannot work without. */
const REQUIRED_OUTPUTS = [
  'MatchesQueueUrl',
  'DeadLetterQueueUrl',
  'SessionsTableName',
  'SessionEventsTopicArn',
  'ArchiveBucketName',
  'GameyeTokenSecretArn',
] as const;
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
/**
 * `lib/bridge-stack.ts`'s default config path, deployed mode's default. Not imported from
 * there: that module loads aws-cdk-lib, seconds of start-up for one string.
 */
export const DEFAULT_CONFIG_PATH = 'config/bridge.config.json';
/** The CLI is interactive: a couple of quick retries, then tell the operator. */
const GAMEYE_RETRIES = { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1_000 } as const;
const LOCAL_HINT =
  'Start it with `npm start -- --serve` (in another terminal), or pass --stack <name> for a deployed stack.';

export async function openTarget(options: TargetOptions, io: CliIo): Promise<Target> {
  return options.stack ? openDeployed(options.stack, options, io) : openLocal(options, io);
}

function openLocal(options: TargetOptions, io: CliIo): Target {
  const path = resolve(io.cwd, options.stackFile ?? io.env.BRIDGE_STACK_FILE ?? STACK_FILE);
  let stack: LocalStackFile | undefined;
  try {
    stack = readStackFile(path);
  } catch (err) {
    throw new UnreachableError(`the local stack file ${path} is unreadable: ${(err as Error).message}`, {
      details: [LOCAL_HINT],
      cause: err,
    });
  }
  if (!stack) {
    throw new UnreachableError(`no local stack is running (${path} is missing or its process has exited).`, {
      details: [LOCAL_HINT],
    });
  }
  const s = stack;
  const clients = localClients(s);
  const configPath = options.config ? resolve(io.cwd, options.config) : resolve(PROJECT_ROOT, s.configPath);
  return makeTarget({
    mode: 'local',
    label: `local stack (pid ${s.pid})`,
    clients,
    resources: {
      tableName: s.resources.tableName,
      matchesQueueUrl: s.resources.matchesQueueUrl,
      deadLetterQueueUrl: s.resources.deadLetterQueueUrl,
      topicArn: s.resources.topicArn,
      archiveBucket: s.resources.bucket,
    },
    configPath,
    gameye: async () => ({ baseUrl: s.endpoints.gameye, token: s.gameyeToken }),
    unreachable: (error) =>
      new UnreachableError(`cannot reach the local stack (${connectionLabel(error)}); is it still running?`, {
        details: [LOCAL_HINT],
        cause: error,
      }),
  });
}

/**
 * SDK clients for the local endpoints, as `tools/local/local-aws.ts` makes them (same fixed
 * credentials, path-style S3). Not imported from there: that module loads dynalite and
 * fauxqs, which would double the CLI's start-up time for nothing.
 */
function localClients(s: LocalStackFile): TargetClients {
  const base = { region: s.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: s.endpoints.dynamodb }),
    sqs: new SQSClient({ ...base, endpoint: s.endpoints.messaging }),
    sns: new SNSClient({ ...base, endpoint: s.endpoints.messaging }),
    s3: new S3Client({ ...base, endpoint: s.endpoints.messaging, forcePathStyle: true }),
  };
}

async function openDeployed(stackName: string, options: TargetOptions, io: CliIo): Promise<Target> {
  // Loaded only in deployed mode: the local path never needs them.
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient({});
  let outputs: Map<string, string>;
  let region = 'default region';
  try {
    region = await cfn.config.region();
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new UnreachableError(`stack ${stackName} not found in ${region}`);
    outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (err) {
    throw deployedFailure(err, stackName, region);
  } finally {
    cfn.destroy();
  }
  const missing = REQUIRED_OUTPUTS.filter((k) => !outputs.get(k));
  if (missing.length > 0) {
    throw new UnreachableError(
      `stack ${stackName} (${region}) is not a Gameye bridge stack: outputs ${missing.join(', ')} are missing`,
    );
  }
  const output = (key: (typeof REQUIRED_OUTPUTS)[number]): string => outputs.get(key) as string;
  const secretArn = output('GameyeTokenSecretArn');
  const clients: TargetClients = {
    dynamodb: new DynamoDBClient({}),
    sqs: new SQSClient({}),
    sns: new SNSClient({}),
    s3: new S3Client({}),
  };
  return makeTarget({
    mode: 'deployed',
    label: `stack ${stackName} (${region})`,
    clients,
    resources: {
      tableName: output('SessionsTableName'),
      matchesQueueUrl: output('MatchesQueueUrl'),
      deadLetterQueueUrl: output('DeadLetterQueueUrl'),
      topicArn: output('SessionEventsTopicArn'),
      archiveBucket: output('ArchiveBucketName'),
    },
    configPath: resolve(options.config ? io.cwd : PROJECT_ROOT, options.config ?? DEFAULT_CONFIG_PATH),
    gameye: async () => {
      // The URL first: a URL the token must not go to is refused before the token is read.
      const { url, notes } = chooseDeployedGameyeUrl({
        option: options.gameyeUrl,
        env: io.env.GAMEYE_BASE_URL,
        stackOutput: outputs.get('GameyeBaseUrl'),
      });
      for (const note of notes) writeLine(io.stderr, `bridge: ${note}`);
      return { baseUrl: url, token: io.env.GAMEYE_TOKEN || (await readSecret(secretArn, stackName, region)) };
    },
    unreachable: (error) => deployedFailure(error, stackName, region),
  });
}

interface TargetParts {
  readonly mode: Target['mode'];
  readonly label: string;
  readonly clients: TargetClients;
  readonly resources: TargetResources;
  readonly configPath: string;
  readonly gameye: () => Promise<GameyeAccess>;
  readonly unreachable: (error: unknown) => unknown;
}

function makeTarget(parts: TargetParts): Target {
  let config: Readonly<BridgeConfig> | undefined;
  let access: Promise<GameyeAccess> | undefined;
  let gameye: Promise<GameyeClient> | undefined;
  return {
    mode: parts.mode,
    label: parts.label,
    clients: parts.clients,
    resources: parts.resources,
    configPath: parts.configPath,
    config() {
      config ??= loadConfig(parts.configPath);
      return config;
    },
    gameyeAccess() {
      access ??= parts.gameye();
      return access;
    },
    gameye() {
      gameye ??= this.gameyeAccess().then(
        ({ baseUrl, token }) => new GameyeClient({ baseUrl, token, retries: GAMEYE_RETRIES }),
      );
      return gameye;
    },
    explain(error) {
      if (error instanceof CliError) return error;
      if (isConnectionFailure(error) || isCredentialsFailure(error)) return parts.unreachable(error);
      return error;
    },
    async close() {
      for (const c of Object.values(parts.clients)) c.destroy();
      if (gameye) await (await gameye.catch(() => undefined))?.close();
    },
  };
}

/** Read and validate the bridge config; every bad field is named. */
export function loadConfig(path: string): Readonly<BridgeConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the bridge config ${path} (pass --config <path>)`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the bridge config ${path} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return parseBridgeConfig(json);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`the bridge config ${path} is invalid`, {
        code: 'BAD_CONFIG',
        details: err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
        cause: err,
      });
    }
    throw err;
  }
}

async function readSecret(secretArn: string, stackName: string, region: string): Promise<string> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const sm = new SecretsManagerClient({});
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const value = out.SecretString?.trim();
    if (!value) {
      throw new UnreachableError(`the Gameye token secret ${secretArn} is empty`, {
        details: ['Set it with `aws secretsmanager put-secret-value`, or export GAMEYE_TOKEN.'],
      });
    }
    return value;
  } catch (err) {
    if (isSecretWithoutValue(err)) {
      throw new UnreachableError(`the Gameye token secret ${secretArn} has no value yet`, {
        details: ['Set it with `aws secretsmanager put-secret-value`, or export GAMEYE_TOKEN.'],
        cause: err,
      });
    }
    throw deployedFailure(err, stackName, region);
  } finally {
    sm.destroy();
  }
}

const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
]);

function isCredentialsFailure(error: unknown): boolean {
  return error instanceof Error && CREDENTIAL_ERRORS.has(error.name);
}

function deployedFailure(error: unknown, stackName: string, region: string): unknown {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(message)) {
    return new UnreachableError(`stack ${stackName} does not exist in ${region}`, {
      details: ['Check the name (`aws cloudformation list-stacks`) and AWS_REGION / AWS_PROFILE.'],
      cause: error,
    });
  }
  if (error instanceof Error && /Region is missing/i.test(message)) {
    return new UnreachableError(`no AWS region set for stack ${stackName}`, {
      details: ['Set AWS_REGION (or a region in your AWS_PROFILE).'],
      cause: error,
    });
  }
  if (isCredentialsFailure(error)) {
    return new UnreachableError(`no usable AWS credentials for ${region}: ${message}`, {
      details: ['Set AWS_PROFILE (and `aws sso login`) or the AWS_* credential variables.'],
      cause: error,
    });
  }
  if (isConnectionFailure(error)) {
    return new UnreachableError(`cannot reach AWS or Gameye from here (${connectionLabel(error)})`, {
      cause: error,
    });
  }
  return error;
}

function connectionLabel(error: unknown): string {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'NETWORK_ERROR') return code;
  }
  return error instanceof Error ? error.message : String(error);
}
