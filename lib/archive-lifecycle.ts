/**
 * The archive bucket's one lifecycle rule, from the `archive*` props: storage-class
 * transitions, expiry, and (with versioning) how long an overwritten or deleted version stays.
 */
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { GameyeMatchBridgeProps } from './bridge-props.ts';

/** Defaults of the `archive*` props (each documented on {@link GameyeMatchBridgeProps}). */
export const ARCHIVE_DEFAULTS = {
  versioned: true,
  infrequentAccessAfter: Duration.days(30),
  glacierAfter: Duration.days(90),
  expireAfter: Duration.days(365),
  noncurrentVersionExpiration: Duration.days(30),
} as const;

/** The props this rule reads; `null` means "never", `undefined` the default. */
export type ArchiveLifecycleProps = Pick<
  GameyeMatchBridgeProps,
  | 'archiveVersioned'
  | 'archiveInfrequentAccessAfter'
  | 'archiveGlacierAfter'
  | 'archiveExpireAfter'
  | 'archiveNoncurrentVersionExpiration'
>;

const orDefault = <T>(value: T | null | undefined, fallback: T): T | null =>
  value === undefined ? fallback : value;

/**
 * The rule, or a call to `fail` naming the prop when the ages are out of order or below
 * S3's minimums.
 */
export function archiveLifecycleRule(
  props: ArchiveLifecycleProps,
  fail: (message: string) => never,
): s3.LifecycleRule {
  const ia = orDefault(props.archiveInfrequentAccessAfter, ARCHIVE_DEFAULTS.infrequentAccessAfter);
  const glacier = orDefault(props.archiveGlacierAfter, ARCHIVE_DEFAULTS.glacierAfter);
  const expire = orDefault(props.archiveExpireAfter, ARCHIVE_DEFAULTS.expireAfter);
  const versioned = props.archiveVersioned ?? ARCHIVE_DEFAULTS.versioned;
  const noncurrent = orDefault(
    props.archiveNoncurrentVersionExpiration,
    ARCHIVE_DEFAULTS.noncurrentVersionExpiration,
  );
  if (ia && ia.toDays() < 30) {
    fail(`archiveInfrequentAccessAfter must be at least 30 days (S3 minimum), got ${ia.toDays()}.`);
  }
  if (ia && glacier && glacier.toDays() <= ia.toDays()) {
    fail(
      `archiveGlacierAfter (${glacier.toDays()} days) must come after archiveInfrequentAccessAfter (${ia.toDays()} days).`,
    );
  }
  const lastTransition = Math.max(ia?.toDays() ?? 0, glacier?.toDays() ?? 0);
  if (expire && expire.toDays() <= lastTransition) {
    fail(
      `archiveExpireAfter (${expire.toDays()} days) must come after the last transition (${lastTransition} days).`,
    );
  }
  if (!versioned && props.archiveNoncurrentVersionExpiration) {
    fail(
      'archiveNoncurrentVersionExpiration needs archiveVersioned: an unversioned bucket has no old versions.',
    );
  }
  if (versioned && noncurrent && noncurrent.toDays() < 1) {
    fail(
      `archiveNoncurrentVersionExpiration must be at least 1 day (S3 minimum), got ${noncurrent.toHumanString()}.`,
    );
  }
  const transitions: s3.Transition[] = [];
  if (ia) transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ia });
  if (glacier) transitions.push({ storageClass: s3.StorageClass.GLACIER, transitionAfter: glacier });
  return {
    id: 'archive-retention',
    abortIncompleteMultipartUploadAfter: Duration.days(1),
    ...(transitions.length > 0 ? { transitions } : {}),
    // On a versioned bucket, expiry makes the current version noncurrent (behind a delete
    // marker); the noncurrent expiry below then removes it, and S3 removes the marker once
    // no version is left behind it.
    ...(expire ? { expiration: expire } : {}),
    ...(versioned && noncurrent ? { noncurrentVersionExpiration: noncurrent } : {}),
  };
}
