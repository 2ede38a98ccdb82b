import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { GameyeMatchBridgeProps } from '../../lib/bridge-construct.ts';
import { exampleConfig, synthConstruct, synthStack } from './synth.ts';

describe('GameyeMatchBridge rejects invalid props', () => {
  it.each<[string, Partial<GameyeMatchBridgeProps>, RegExp]>([
    [
      'a visibility timeout shorter than 6 × the placement timeout',
      { placementTimeout: Duration.seconds(30), matchesVisibilityTimeout: Duration.seconds(120) },
      /matchesVisibilityTimeout \(120 s\) must be at least 6 × placementTimeout \(180 s\)/,
    ],
    [
      'an orphan grace the SQS retry window outlasts',
      { maxReceiveCount: 10 },
      /orphanGraceMs \(1200000 ms\) must be longer than the SQS retry window, maxReceiveCount × max\(matchesVisibilityTimeout, placementTimeout \+ bridgeConfig.retryBackoff.maxDelaySeconds\) \(10 × max\(180 s, 30 s \+ 180 s\) = 2100000 ms\)/,
    ],
    [
      'an orphan grace the retry backoff outlasts, though the visibility timeout alone fits in it',
      { bridgeConfig: { ...exampleConfig(), retryBackoff: { firstDelaySeconds: 15, maxDelaySeconds: 300 } } },
      /orphanGraceMs \(1200000 ms\) must be longer than the SQS retry window, .*\(5 × max\(180 s, 30 s \+ 300 s\) = 1650000 ms\)/,
    ],
    [
      'a retry backoff past the 12 hours SQS lets a received message stay invisible',
      {
        bridgeConfig: {
          ...exampleConfig(),
          retryBackoff: { firstDelaySeconds: 15, maxDelaySeconds: 43_200 },
          orphanGraceMs: 30 * 86_400_000,
        },
      },
      /bridgeConfig.retryBackoff.maxDelaySeconds \(43200 s\) plus placementTimeout \(30 s\) must not exceed 12 hours/,
    ],
    [
      'a retry backoff over 12 hours',
      {
        bridgeConfig: {
          ...exampleConfig(),
          retryBackoff: { firstDelaySeconds: 15, maxDelaySeconds: 43_201 },
        },
      },
      /retryBackoff.maxDelaySeconds: /,
    ],
    [
      'a maxReceiveCount of 0',
      { maxReceiveCount: 0 },
      /maxReceiveCount must be an integer from 1 to 1000, got 0/,
    ],
    [
      'a maxConcurrency below the SQS event source minimum',
      { placementMaxConcurrency: 1 },
      /placementMaxConcurrency must be an integer from 2 to 1000/,
    ],
    [
      'a reaper timeout longer than its rate',
      { reaperRate: Duration.minutes(1), reaperTimeout: Duration.minutes(2) },
      /reaperTimeout \(2 minutes\) must not exceed reaperRate \(1 minute\)/,
    ],
    [
      'a token key without an imported token secret',
      { gameyeTokenSecretKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' },
      /gameyeTokenSecretKeyArn needs gameyeTokenSecretArn/,
    ],
    [
      'a failure-rate threshold of 100 % or more',
      { alarmThresholds: { placementFailureRatePercent: 150 } },
      /alarmThresholds.placementFailureRatePercent: expected a percentage under 100, got 150/,
    ],
    [
      'an archive backlog threshold under a minute',
      { alarmThresholds: { archiveBacklogAge: Duration.seconds(30) } },
      /alarmThresholds.archiveBacklogAge: expected at least 1 minute/,
    ],
    [
      'a reaper memory size Lambda does not offer',
      { reaperMemorySize: 64 },
      /reaperMemorySize must be an integer from 128 to 10240 MiB, got 64/,
    ],
    [
      'a reaper memory threshold of all its memory',
      { alarmThresholds: { reaperMemoryPercent: 100 } },
      /alarmThresholds.reaperMemoryPercent: expected a percentage under 100, got 100/,
    ],
    [
      'a negative error threshold',
      { alarmThresholds: { functionErrors: -1 } },
      /alarmThresholds.functionErrors: expected > 0, got -1/,
    ],
    [
      'more missed reaper periods than CloudWatch evaluates',
      { alarmThresholds: { reaperMissedPeriods: 2000 } },
      /alarmThresholds.reaperMissedPeriods: 2000 periods of 60 s is longer than CloudWatch evaluates \(24 h\)/,
    ],
    [
      'a reaper rate whose missed periods outlast a week',
      { reaperRate: Duration.days(3), reaperTimeout: Duration.minutes(10) },
      /alarmThresholds.reaperMissedPeriods: 3 periods of 259200 s is longer than CloudWatch evaluates \(168 h\)/,
    ],
    [
      'a reaper rate under a minute',
      { reaperRate: Duration.seconds(30) },
      /reaperRate must be a whole number of minutes/,
    ],
    [
      'Glacier before infrequent access',
      { archiveInfrequentAccessAfter: Duration.days(60), archiveGlacierAfter: Duration.days(45) },
      /archiveGlacierAfter \(45 days\) must come after archiveInfrequentAccessAfter \(60 days\)/,
    ],
    [
      'expiry before the last transition',
      { archiveExpireAfter: Duration.days(60) },
      /archiveExpireAfter \(60 days\) must come after the last transition \(90 days\)/,
    ],
    [
      'infrequent access before 30 days',
      { archiveInfrequentAccessAfter: Duration.days(7) },
      /archiveInfrequentAccessAfter must be at least 30 days/,
    ],
    [
      'a partial secret ARN',
      { gameyeTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token' },
      /gameyeTokenSecretArn must be the complete ARN/,
    ],
    [
      'a plain-HTTP Gameye URL',
      { gameyeBaseUrl: 'http://api.gameye.example' },
      /gameyeBaseUrl must be an https:\/\/ URL/,
    ],
    ['a malformed alarm email', { alarmEmail: 'oncall' }, /alarmEmail must be an email address/],
    [
      'an AWS metrics namespace',
      { metricsNamespace: 'AWS/Lambda' },
      /metricsNamespace 'AWS\/Lambda' is not a valid/,
    ],
    [
      'a placement deadline as long as the function timeout',
      { placementTimeout: Duration.seconds(20) },
      /placementDeadlineMs \(20000 ms\) must be shorter than placementTimeout \(20000 ms\)/,
    ],
  ])('throws on %s', (_name, props, message) => {
    expect(() => synthConstruct(props)).toThrow(message);
  });

  it('accepts an orphan grace just past the retry window that a long backoff stretches', () => {
    // 5 receives × (30 s placement + 300 s backoff) = 1,650,000 ms.
    const bridgeConfig = {
      ...exampleConfig(),
      retryBackoff: { firstDelaySeconds: 15, maxDelaySeconds: 300 },
      orphanGraceMs: 1_650_001,
    };
    expect(() => synthConstruct({ bridgeConfig })).not.toThrow();
    expect(() => synthConstruct({ bridgeConfig: { ...bridgeConfig, orphanGraceMs: 1_650_000 } })).toThrow(
      /orphanGraceMs \(1650000 ms\) must be longer than the SQS retry window/,
    );
  });

  it('names every bad field of the runtime config', () => {
    const config = { ...exampleConfig(), deploymentId: 'Not Valid', cooldownMs: -1 };
    expect(() => synthConstruct({ bridgeConfig: config })).toThrow(/deploymentId: .*cooldownMs: /);
  });

  it('accepts a KMS-encrypted queue pair with the same key', () => {
    const { template } = synthConstruct({ queueEncryption: 'kms' });
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BridgeKey'), 'Arn'] },
    });
  });
});

describe('the stack reads its runtime config file', () => {
  it('fails synth with the file and the field when the config is bad', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-config-'));
    const configPath = path.join(dir, 'bad.json');
    writeFileSync(configPath, JSON.stringify({ ...exampleConfig(), sessionNamespace: 'not-a-uuid' }));
    expect(() => synthStack({ configPath })).toThrow(
      new RegExp(
        `${configPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid bridge configuration: sessionNamespace: `,
      ),
    );
  });

  it('fails synth naming the file when it does not exist', () => {
    expect(() => synthStack({ configPath: 'config/missing.json' })).toThrow(
      /cannot read config\/missing\.json/,
    );
  });
});
