/**
 * What each function may do, spelled out action by action instead of `grantReadWriteData`, so
 * the policies say exactly what each function does; and the cdk-nag findings on those policies
 * that are acknowledged, each with its reason. Consuming the matches queue (receive, delete,
 * ChangeMessageVisibility, which spaces retries out) comes from the placement function's SQS
 * event source, not from here.
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BRIDGE_RESOURCES } from '../lambdas/shared/resources.ts';

/**
 * The resources the functions use, and the functions. Classes, not their interfaces: jsii
 * classes declare optional fields as `T | undefined`, which `exactOptionalPropertyTypes` will
 * not assign to an interface's `field?: T`.
 */
export interface BridgePermissionTargets {
  readonly sessionsTable: dynamodb.Table;
  readonly sessionEventsTopic: sns.Topic;
  readonly deadLetterQueue: sqs.Queue;
  readonly archiveBucket: s3.Bucket;
  readonly gameyeTokenSecret: secretsmanager.ISecret;
  readonly placementFunction: lambda.Function;
  readonly reaperFunction: lambda.Function;
}

/** Grants both functions what they use, and nothing else. */
export function grantBridgePermissions(
  bridge: BridgePermissionTargets,
  options: { readonly flexMatch: boolean },
): void {
  const { sessionsTable: table, placementFunction: placement, reaperFunction: reaper } = bridge;
  const activeIndexArn = `${table.tableArn}/index/${BRIDGE_RESOURCES.sessionsTable.activeIndex.name}`;

  // The session store claims and transitions with conditional PutItem, reads with GetItem.
  // Placement: claim, read back, move the record along.
  placement.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
    }),
  );
  bridge.sessionEventsTopic.grantPublish(placement);
  placement.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [bridge.deadLetterQueue.queueArn] }),
  );
  bridge.deadLetterQueue.encryptionMasterKey?.grant(placement, 'kms:Decrypt', 'kms:GenerateDataKey*');
  grantTokenRead(bridge.gameyeTokenSecret, placement);
  if (options.flexMatch) {
    // A FlexMatch match's latencies are on its tickets, which placement looks up. GameLift
    // defines no resource type for DescribeMatchmaking (tickets are not IAM resources), so
    // the statement can only name `*`.
    placement.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['gamelift:DescribeMatchmaking'], resources: ['*'] }),
    );
  }

  // Reaper: query the active-sessions index shard by shard, read and update records.
  reaper.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
    }),
  );
  reaper.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [activeIndexArn] }),
  );
  bridge.sessionEventsTopic.grantPublish(reaper);
  // Streamed uploads: PutObject covers Create/UploadPart/Complete; Abort cleans up. Only the
  // reaper archives (MatchEnded stops a session; the reaper's next run archives it).
  reaper.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: [bridge.archiveBucket.arnForObjects(`${BRIDGE_RESOURCES.archiveBucket.prefix}/*`)],
    }),
  );
  grantTokenRead(bridge.gameyeTokenSecret, reaper);

  acknowledgePolicyFindings(bridge, options);
}

/**
 * GetSecretValue on the token secret, and nothing else (`grantRead` adds DescribeSecret, which
 * the functions never call). A secret imported with a customer-managed key needs that key's
 * decrypt too: `gameyeTokenSecretKeyArn`.
 */
function grantTokenRead(secret: secretsmanager.ISecret, fn: lambda.IFunction): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
  secret.encryptionKey?.grantDecrypt(fn);
}

const KMS_WILDCARD = {
  id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
  reason: 'What grantPublish on a KMS-encrypted topic needs; limited to the one key.',
};

const DESCRIBE_MATCHMAKING_WILDCARD = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'gamelift:DescribeMatchmaking supports no resource-level permissions (the Service Authorization Reference lists no resource type for it); the statement holds that one read-only action.',
};

function acknowledgePolicyFindings(
  bridge: BridgePermissionTargets,
  options: { readonly flexMatch: boolean },
): void {
  const objectsResource = `Resource::<${logicalIdOf(bridge.archiveBucket)}.Arn>/${BRIDGE_RESOURCES.archiveBucket.prefix}/*`;
  const reaperPolicy = bridge.reaperFunction.role?.node.tryFindChild('DefaultPolicy');
  if (reaperPolicy) {
    Validations.of(reaperPolicy).acknowledge(
      {
        id: `AwsSolutions-IAM5[${objectsResource}]`,
        reason: 'Artifact keys are per session, unknown at deploy time; limited to the archive prefix.',
      },
      KMS_WILDCARD,
    );
  }
  const placementPolicy = bridge.placementFunction.role?.node.tryFindChild('DefaultPolicy');
  if (placementPolicy) {
    Validations.of(placementPolicy).acknowledge(
      KMS_WILDCARD,
      ...(options.flexMatch ? [DESCRIBE_MATCHMAKING_WILDCARD] : []),
    );
  }
}

/** The CloudFormation logical id cdk-nag names a resource by in its finding ids. */
export function logicalIdOf(construct: Construct): string {
  const cfn = construct.node.defaultChild;
  if (!(cfn instanceof CfnElement))
    throw new Error(`GameyeMatchBridge: ${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(cfn);
}
