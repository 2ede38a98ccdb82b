/**
 * The sessions table, defined once. The CDK stack (`lib/`), the local stack (`tools/local/`)
 * and the DynamoDB adapter all read this module, so the key names, the active-sessions
 * index and the TTL attribute cannot drift apart between production, local mode and code.
 *
 * No AWS SDK or CDK import here on purpose: it is plain data both worlds can map.
 */
export const SESSIONS_TABLE = {
  /** One item per match. */
  partitionKey: { name: 'matchId', type: 'S' },
  /**
   * Sparse, write-sharded GSI of the sessions that still need the reaper (PLACING, READY,
   * ENDING). The shard attribute is present only while a session is active, so ended
   * and failed records drop out of the index by themselves; sharding spreads writes over
   * several partitions, and the reaper queries each shard (a few queries, never a scan).
   */
  activeIndex: {
    name: 'active-sessions',
    partitionKey: { name: 'activeShard', type: 'S' },
    /** ISO-8601 creation time: sorts chronologically, so "older than" is a key condition. */
    sortKey: { name: 'createdAt', type: 'S' },
  },
  /** Epoch seconds after which DynamoDB deletes an ENDED or FAILED record. */
  ttlAttribute: 'expiresAt',
} as const;

export type SessionsTableDefinition = typeof SESSIONS_TABLE;

/** Every value of the active-sessions index's partition key starts so: `active#<n>`. */
export const ACTIVE_SHARD_PREFIX = 'active#';

/** The active-sessions index's partition key value of shard `n`. */
export function activeShardName(n: number): string {
  return `${ACTIVE_SHARD_PREFIX}${n}`;
}

/**
 * The shard values the reaper queries: `active#0` … `active#<count - 1>`. The count is the
 * runtime config's `activeShards` (grow it rather than shrink it: records keep their shard;
 * `core/reaper/unread-shards.ts` finds those a lowered count hides).
 */
export function activeShards(count: number): string[] {
  return Array.from({ length: count }, (_, i) => activeShardName(i));
}
