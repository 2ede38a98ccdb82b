/**
 * `GameyeMatchBridge`'s props with their defaults applied and every combination checked, before
 * the construct creates anything: a bad prop fails `cdk synth` with the prop's name and why.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { type BridgeConfig, parseBridgeConfig } from '../lambdas/core/config.ts';
import { DEFAULT_SOURCES, FlexMatchConfigurationName } from '../lambdas/core/formats/sources.ts';
import {
  BRIDGE_RESOURCES,
  DEFAULT_GAMEYE_BASE_URL,
  PLACEMENT_TIMEOUT_SECONDS,
} from '../lambdas/shared/resources.ts';
import { ARCHIVE_DEFAULTS, archiveLifecycleRule } from './archive-lifecycle.ts';
import type { FlexMatchProps, GameyeMatchBridgeProps, QueueEncryptionMode } from './bridge-props.ts';
import { BUNDLE_OPTIONS } from './bundle-options.ts';

/** SQS's longest visibility timeout, counted from a message's receive. */
const SQS_MAX_VISIBILITY_SECONDS = 12 * 3600;

/** The props, resolved: what the construct builds from. */
export interface BridgeSettings {
  readonly bridgeConfig: Readonly<BridgeConfig>;
  readonly gameyeBaseUrl: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly queueEncryption: QueueEncryptionMode;
  readonly maxReceiveCount: number;
  readonly placementTimeout: Duration;
  readonly visibilityTimeout: Duration;
  readonly placementMaxConcurrency: number;
  readonly memorySize: number;
  readonly reaperMemorySize: number;
  readonly reaperRate: Duration;
  readonly reaperTimeout: Duration;
  readonly tableDeletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly archiveVersioned: boolean;
  readonly archiveLifecycle: s3.LifecycleRule;
  readonly archiveAccessLogs: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly alarmEmail: string | undefined;
  readonly dashboard: boolean;
  readonly sourceMapsAtRuntime: boolean;
  /** FlexMatch's configurations, checked, or undefined when the bridge takes no FlexMatch events. */
  readonly flexMatch: FlexMatchProps | undefined;
}

/**
 * The longest time SQS may go on delivering one match, in ms: `maxReceiveCount` receives, each
 * followed by the longest time the message can stay invisible. That is the queue's visibility
 * timeout when an invocation dies without settling it, or, when the placement function spaces
 * a retry out, the time it ran (at most `placementTimeout`) plus the backoff it set: SQS counts
 * a ChangeMessageVisibility timeout from the call, not from the receive.
 */
export function retryWindowMs(settings: {
  visibilityTimeout: Duration;
  placementTimeout: Duration;
  maxReceiveCount: number;
  maxDelaySeconds: number;
}): number {
  const backoffSpan = settings.placementTimeout.toMilliseconds() + settings.maxDelaySeconds * 1000;
  return settings.maxReceiveCount * Math.max(settings.visibilityTimeout.toMilliseconds(), backoffSpan);
}

/** Defaults applied and every combination checked, before any resource is created. */
export function resolveSettings(props: GameyeMatchBridgeProps): BridgeSettings {
  const fail = (message: string): never => {
    throw new Error(`GameyeMatchBridge: ${message}`);
  };

  const input = props.bridgeConfig as { sources?: { flexMatch?: unknown } | undefined };
  if (props.flexMatch !== undefined && input.sources?.flexMatch !== undefined) {
    fail(
      'flexMatch is set both as a prop and in bridgeConfig.sources.flexMatch: set it in the prop only (it also creates the EventBridge rule).',
    );
  }
  if (props.flexMatch === undefined && input.sources?.flexMatch !== undefined) {
    fail(
      'bridgeConfig.sources.flexMatch is set but the flexMatch prop is not: move the configurations to the prop. Only the prop grants the placement function gamelift:DescribeMatchmaking (without it every FlexMatch match is placed by preference) and creates the EventBridge rule.',
    );
  }
  const parsedConfig = parseBridgeConfig(props.bridgeConfig);
  const flexMatch = resolveFlexMatch(props, parsedConfig, fail);
  // The functions' config: with the prop, its configurations as `sources.flexMatch`, beside
  // the formats the config names (MatchFound v1 when it names none), validated again whole.
  const bridgeConfig =
    flexMatch === undefined
      ? parsedConfig
      : parseBridgeConfig({
          ...(props.bridgeConfig as object),
          sources: { ...((input.sources as object | undefined) ?? DEFAULT_SOURCES), flexMatch },
        });

  const gameyeBaseUrl = props.gameyeBaseUrl ?? DEFAULT_GAMEYE_BASE_URL;
  if (!Token.isUnresolved(gameyeBaseUrl) && !/^https:\/\/[^\s/]+/.test(gameyeBaseUrl)) {
    fail(`gameyeBaseUrl must be an https:// URL, got '${gameyeBaseUrl}'.`);
  }
  checkTokenSecret(props, fail);

  const queueEncryption = props.queueEncryption ?? 'sqs-managed';
  if (queueEncryption !== 'sqs-managed' && queueEncryption !== 'kms') {
    fail(`queueEncryption must be 'sqs-managed' or 'kms', got '${String(queueEncryption)}'.`);
  }

  const { maxReceiveCount, placementTimeout, visibilityTimeout } = resolveQueueTiming(
    props,
    bridgeConfig,
    fail,
  );

  const placementMaxConcurrency =
    props.placementMaxConcurrency ?? BRIDGE_RESOURCES.matchesQueue.maxConcurrency;
  if (
    !Number.isInteger(placementMaxConcurrency) ||
    placementMaxConcurrency < 2 ||
    placementMaxConcurrency > 1000
  ) {
    fail(
      `placementMaxConcurrency must be an integer from 2 to 1000 (SQS event source limit), got ${placementMaxConcurrency}.`,
    );
  }

  const memorySize = props.memorySize ?? 512;
  const reaperMemorySize = props.reaperMemorySize ?? memorySize;
  for (const [name, value] of [
    ['memorySize', memorySize],
    ['reaperMemorySize', reaperMemorySize],
  ] as const) {
    if (!Number.isInteger(value) || value < 128 || value > 10240) {
      fail(`${name} must be an integer from 128 to 10240 MiB, got ${value}.`);
    }
  }

  const reaperRate = props.reaperRate ?? Duration.minutes(1);
  const rateSeconds = reaperRate.toSeconds();
  if (rateSeconds < 60 || rateSeconds % 60 !== 0) {
    fail(`reaperRate must be a whole number of minutes, at least 1, got ${reaperRate.toHumanString()}.`);
  }
  const reaperTimeout = props.reaperTimeout ?? (rateSeconds > 900 ? Duration.minutes(15) : reaperRate);
  if (reaperTimeout.toSeconds() > rateSeconds) {
    fail(
      `reaperTimeout (${reaperTimeout.toHumanString()}) must not exceed reaperRate (${reaperRate.toHumanString()}): a run must end before the next starts.`,
    );
  }
  if (reaperTimeout.toSeconds() < 1 || reaperTimeout.toSeconds() > 900) {
    fail(`reaperTimeout must be from 1 second to 15 minutes, got ${reaperTimeout.toHumanString()}.`);
  }

  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removalPolicy === RemovalPolicy.SNAPSHOT) {
    fail(
      'removalPolicy SNAPSHOT is not supported: none of the bridge resources it applies to (table, buckets, queues, log groups, key, secret) has snapshots; use RETAIN or DESTROY.',
    );
  }

  const archiveLifecycle = archiveLifecycleRule(props, fail);

  const alarmEmail = props.alarmEmail;
  if (
    alarmEmail !== undefined &&
    !Token.isUnresolved(alarmEmail) &&
    !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)
  ) {
    fail(`alarmEmail must be an email address, got '${alarmEmail}'.`);
  }

  const serviceName = props.serviceName ?? 'gameye-match-bridge';
  const metricsNamespace = props.metricsNamespace ?? 'GameyeMatchBridge';
  if (!/^[A-Za-z0-9._\-/#:]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    fail(`metricsNamespace '${metricsNamespace}' is not a valid custom CloudWatch namespace.`);
  }

  return {
    bridgeConfig,
    gameyeBaseUrl,
    serviceName,
    metricsNamespace,
    queueEncryption,
    maxReceiveCount,
    placementTimeout,
    visibilityTimeout,
    placementMaxConcurrency,
    memorySize,
    reaperMemorySize,
    reaperRate,
    reaperTimeout,
    tableDeletionProtection: props.tableDeletionProtection ?? true,
    removalPolicy,
    archiveVersioned: props.archiveVersioned ?? ARCHIVE_DEFAULTS.versioned,
    archiveLifecycle,
    archiveAccessLogs: props.archiveAccessLogs ?? true,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    alarmEmail,
    dashboard: props.dashboard ?? true,
    sourceMapsAtRuntime: props.sourceMapsAtRuntime ?? BUNDLE_OPTIONS.sourceMapsAtRuntime,
    flexMatch,
  };
}

/**
 * The `flexMatch` prop, checked: at least one configuration, each a name GameLift accepts
 * (an ARN or a typo with a space would make a rule that never matches) running a profile the
 * config has. (That it is not in `bridgeConfig.sources` as well is checked before the config is
 * parsed: two places would drift apart.)
 */
function resolveFlexMatch(
  props: GameyeMatchBridgeProps,
  bridgeConfig: Readonly<BridgeConfig>,
  fail: (message: string) => never,
): FlexMatchProps | undefined {
  const flexMatch = props.flexMatch;
  if (flexMatch === undefined) return undefined;
  const names = Object.keys(flexMatch.configurations ?? {});
  if (names.length === 0) fail('flexMatch.configurations must name at least one matchmaking configuration.');
  // A copy holding only what the construct uses, so a later change to the caller's object changes nothing.
  const configurations: Record<string, { profile: string }> = {};
  for (const name of names) {
    if (Token.isUnresolved(name) || !FlexMatchConfigurationName.safeParse(name).success) {
      fail(
        `flexMatch.configurations: '${name}' is not a FlexMatch matchmaking configuration name (1-128 letters, digits, - and .; the name, not the ARN).`,
      );
    }
    const profile = flexMatch.configurations[name]?.profile;
    if (typeof profile !== 'string' || !Object.hasOwn(bridgeConfig.profiles, profile)) {
      fail(
        `flexMatch.configurations.${name}.profile: bridgeConfig has no profile '${String(profile)}' (profiles: ${Object.keys(bridgeConfig.profiles).join(', ')}).`,
      );
    }
    configurations[name] = { profile };
  }
  return { configurations };
}

function checkTokenSecret(props: GameyeMatchBridgeProps, fail: (message: string) => never): void {
  const arn = props.gameyeTokenSecretArn;
  if (
    arn !== undefined &&
    !Token.isUnresolved(arn) &&
    !/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.+-[A-Za-z0-9]{6}$/.test(arn)
  ) {
    fail(
      `gameyeTokenSecretArn must be the complete ARN of a Secrets Manager secret (ending in its 6-character suffix), got '${arn}'.`,
    );
  }
  const keyArn = props.gameyeTokenSecretKeyArn;
  if (keyArn !== undefined && arn === undefined) {
    fail('gameyeTokenSecretKeyArn needs gameyeTokenSecretArn: it is the key of an imported secret.');
  }
  if (
    keyArn !== undefined &&
    !Token.isUnresolved(keyArn) &&
    !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/.test(keyArn)
  ) {
    fail(
      `gameyeTokenSecretKeyArn must be the ARN of a KMS key (arn:…:kms:region:account:key/id), got '${keyArn}'.`,
    );
  }
}

/**
 * The placement timeout, the queue's visibility timeout and receive count, and the checks that
 * tie them to the runtime config: a placement gives up before Lambda kills it, a message is not
 * redelivered while still being placed, a retry's backoff fits SQS's limit, and the reaper
 * abandons a PLACING record only once SQS can no longer deliver its match.
 */
function resolveQueueTiming(
  props: GameyeMatchBridgeProps,
  bridgeConfig: Readonly<BridgeConfig>,
  fail: (message: string) => never,
): { maxReceiveCount: number; placementTimeout: Duration; visibilityTimeout: Duration } {
  const maxReceiveCount = props.maxReceiveCount ?? BRIDGE_RESOURCES.matchesQueue.maxReceiveCount;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    fail(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}.`);
  }

  const placementTimeout = props.placementTimeout ?? Duration.seconds(PLACEMENT_TIMEOUT_SECONDS);
  if (placementTimeout.toSeconds() < 1 || placementTimeout.toSeconds() > 900) {
    fail(`placementTimeout must be from 1 second to 15 minutes, got ${placementTimeout.toHumanString()}.`);
  }
  if (bridgeConfig.placementDeadlineMs >= placementTimeout.toMilliseconds()) {
    fail(
      `bridgeConfig.placementDeadlineMs (${bridgeConfig.placementDeadlineMs} ms) must be shorter than placementTimeout (${placementTimeout.toMilliseconds()} ms), or Lambda kills a placement before it gives up cleanly.`,
    );
  }
  const minimumVisibility = placementTimeout.toSeconds() * 6;
  const visibilityTimeout = props.matchesVisibilityTimeout ?? Duration.seconds(minimumVisibility);
  if (visibilityTimeout.toSeconds() < minimumVisibility) {
    fail(
      `matchesVisibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least 6 × placementTimeout (${minimumVisibility} s), or a message is redelivered while still being placed.`,
    );
  }
  if (visibilityTimeout.toSeconds() > SQS_MAX_VISIBILITY_SECONDS) {
    fail(`matchesVisibilityTimeout must not exceed 12 hours (SQS limit); lower placementTimeout.`);
  }

  // The placement function sets a failed message's visibility to at most maxDelaySeconds,
  // after running for up to placementTimeout; SQS rejects a visibility that ends more than
  // 12 hours after the receive, so the retry would come at the queue's timeout instead.
  const { maxDelaySeconds } = bridgeConfig.retryBackoff;
  if (placementTimeout.toSeconds() + maxDelaySeconds > SQS_MAX_VISIBILITY_SECONDS) {
    fail(
      `bridgeConfig.retryBackoff.maxDelaySeconds (${maxDelaySeconds} s) plus placementTimeout (${placementTimeout.toSeconds()} s) must not exceed 12 hours (${SQS_MAX_VISIBILITY_SECONDS} s), the longest a received SQS message can stay invisible.`,
    );
  }

  // The reaper treats a PLACING record older than orphanGraceMs as abandoned: that must only
  // happen once SQS can no longer deliver the match (every receive and its invisible time spent).
  const windowMs = retryWindowMs({ visibilityTimeout, placementTimeout, maxReceiveCount, maxDelaySeconds });
  if (bridgeConfig.orphanGraceMs <= windowMs) {
    fail(
      `bridgeConfig.orphanGraceMs (${bridgeConfig.orphanGraceMs} ms) must be longer than the SQS retry window, maxReceiveCount × max(matchesVisibilityTimeout, placementTimeout + bridgeConfig.retryBackoff.maxDelaySeconds) (${maxReceiveCount} × max(${visibilityTimeout.toSeconds()} s, ${placementTimeout.toSeconds()} s + ${maxDelaySeconds} s) = ${windowMs} ms), or the reaper abandons matches placement is still retrying.`,
    );
  }
  return { maxReceiveCount, placementTimeout, visibilityTimeout };
}
