/**
 * The placement function's composition root when the Gameye token cannot be read: every call of
 * the invocation's Gameye port fails saying why, as a refused token (secret without a value) or
 * an outage (anything else), so matches are retried and finally settled with that reason.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { aBridgeConfig } from '../fixtures/config.ts';

const getSecret = vi.hoisted(() => vi.fn());
vi.mock('@aws-lambda-powertools/parameters/secrets', () => ({ getSecret }));

// The unit tier shares one module graph between files: start a fresh one, so placement-deps
// (and the token reader under it) is loaded here, with the mocked getSecret, whatever file ran first.
vi.resetModules();
const { placementDeps } = await import('../../lambdas/runtime/placement-deps.ts');
const { GameyeCallError } = await import('../../lambdas/core/errors.ts');

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf';

function depsWithSecret() {
  return placementDeps({
    env: {
      tableName: 'sessions',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:events',
      deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
      gameyeBaseUrl: 'https://api.example.test',
      token: { secretArn: ARN },
      config: aBridgeConfig(),
    },
  });
}

describe('the placement function’s Gameye port when the token cannot be read', () => {
  it('fails every call as a refused token, naming the secret and the fix, when the secret has no value', async () => {
    getSecret.mockRejectedValueOnce(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        $metadata: {},
      }),
    );
    const gameye = await depsWithSecret().gameyeFor(1_000, () => {});

    const failure = await gameye.availableLocations('arena-server').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GameyeCallError);
    expect(failure).toMatchObject({ kind: 'unauthorized', retryable: false });
    expect((failure as Error).message).toContain(`${ARN} has no value yet: set it with put-secret-value`);
  });

  it('fails every call as an outage when Secrets Manager itself fails', async () => {
    getSecret.mockRejectedValueOnce(new Error('ThrottlingException: slow down'));
    const gameye = await depsWithSecret().gameyeFor(1_000, () => {});

    await expect(
      gameye.startSession({ id: 'x', location: 'l', image: 'i', env: {}, labels: {} }),
    ).rejects.toMatchObject({
      kind: 'unavailable',
      retryable: true,
    });
  });
});
