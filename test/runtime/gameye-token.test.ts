/** Reading the Gameye token from Secrets Manager: the operator-facing failures name the fix, never a value. */
import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const getSecret = vi.hoisted(() => vi.fn());
vi.mock('@aws-lambda-powertools/parameters/secrets', () => ({ getSecret }));

// Unit test files share a worker's module cache (the unit tier runs without isolation): an
// earlier file may have loaded the real module already, so load it afresh under the mock.
vi.resetModules();
const { readGameyeToken } = await import('../../lambdas/runtime/gameye-token.ts');

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf';

beforeEach(() => {
  getSecret.mockReset();
});

describe('readGameyeToken', () => {
  it('says the secret has no value yet when the stack created it empty', async () => {
    const sdkError = new ResourceNotFoundException({
      message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      $metadata: {},
    });
    getSecret.mockRejectedValue(new GetParameterError(sdkError.message, { cause: sdkError }));
    await expect(readGameyeToken({ secretArn: ARN })).rejects.toThrow(
      `the Gameye token secret ${ARN} has no value yet: set it with put-secret-value`,
    );
  });

  it('passes other failures on as they are', async () => {
    getSecret.mockRejectedValue(new GetParameterError('AccessDeniedException: not allowed'));
    await expect(readGameyeToken({ secretArn: ARN })).rejects.toThrow('AccessDeniedException: not allowed');
  });

  it('rejects a blank value without printing it', async () => {
    getSecret.mockResolvedValue('   ');
    await expect(readGameyeToken({ secretArn: ARN })).rejects.toThrow(
      `the Gameye token secret ${ARN} is empty`,
    );
  });

  it('returns the trimmed token, read with a 5-minute cache', async () => {
    getSecret.mockResolvedValue(' tok-123 \n');
    await expect(readGameyeToken({ secretArn: ARN })).resolves.toBe('tok-123');
    expect(getSecret).toHaveBeenCalledWith(ARN, { maxAge: 300 });
  });
});
