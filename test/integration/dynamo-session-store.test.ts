/**
 * The DynamoDB adapters (`DynamoSessionStore`, `DynamoActiveSessions`) on dynalite, with the
 * table and its sparse index created as the stack defines them: the SessionStore contract the
 * in-memory fake also passes, then what only stored items can do (be corrupt).
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoActiveSessions } from '../../lambdas/adapters/dynamo-active-sessions.ts';
import { DynamoSessionStore, SessionItemError } from '../../lambdas/adapters/dynamo-session-store.ts';
import { ActiveEntry } from '../../lambdas/core/reaper/active-entry.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import { activeShardFor, newPlacingRecord } from '../../lambdas/core/session-record.ts';
import { createSessionsTable } from '../../tools/local/local-aws.ts';
import { CONTRACT_SHARDS, describeSessionStoreContract } from '../session-store/contract.ts';
import { putCorruptActiveItem } from '../support/corrupt-item.ts';
import { useLocalAws } from '../support/local-aws.ts';

const local = useLocalAws();
let tables = 0;

/** The adapters over a new, empty table of their own. */
async function freshAdapters(onInvalidItem?: (error: SessionItemError) => void) {
  const client = local.aws.clients.dynamodb;
  const tableName = `sessions-${++tables}`;
  await createSessionsTable(client, tableName);
  return {
    client,
    tableName,
    store: new DynamoSessionStore({ client, tableName }),
    index: new DynamoActiveSessions({ client, tableName, shards: CONTRACT_SHARDS, onInvalidItem }),
  };
}

describeSessionStoreContract('DynamoSessionStore on dynalite', freshAdapters);

describe('a corrupt stored item', () => {
  const corrupt = (client: DynamoDBClient, tableName: string) =>
    putCorruptActiveItem(client, tableName, 'corrupt-1', activeShardFor('corrupt-1', CONTRACT_SHARDS));

  it('is skipped by the active index and reported with its match id, the valid records still listed', async () => {
    const reported: SessionItemError[] = [];
    const { client, tableName, store, index } = await freshAdapters((error) => reported.push(error));
    const valid = newPlacingRecord({
      matchId: 'valid-1',
      sessionId: sessionIdFor('valid-1', '3b241101-e2bb-4255-8caf-4136c566a962'),
      profile: 'arena',
      image: 'arena-server',
      players: [],
      activeShards: CONTRACT_SHARDS,
      now: Date.parse('2030-01-01T00:00:00.000Z'),
    });
    await store.claim(valid);
    await corrupt(client, tableName);

    const listed = await index.listActive();

    expect(listed).toEqual([ActiveEntry.parse(valid)]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(SessionItemError);
    expect(reported[0]).toMatchObject({ matchId: 'corrupt-1', message: expect.stringContaining('state') });
  });

  it('makes get throw SessionItemError naming the bad field, never a silently wrong record', async () => {
    const { client, tableName, store } = await freshAdapters();
    await corrupt(client, tableName);

    const read = store.get('corrupt-1');

    await expect(read).rejects.toBeInstanceOf(SessionItemError);
    await expect(read).rejects.toMatchObject({
      matchId: 'corrupt-1',
      message: expect.stringMatching(/state/),
    });
  });
});
