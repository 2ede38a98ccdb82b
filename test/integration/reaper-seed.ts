/**
 * Seeds many active sessions fast and consistently: each is started at the emulator with the
 * bridge's id and labels (as placement would), and its READY record is written with
 * BatchWriteItem (25 a request). Used by the reaper's integration tests and its benchmark.
 * Everything goes over HTTP, so the emulator may run in this process or in another.
 */
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { BridgeConfig } from '../../lambdas/core/config.ts';
import { sessionIdFor } from '../../lambdas/core/session-id.ts';
import { activeShardFor, type SessionRecord } from '../../lambdas/core/session-record.ts';
import type { RunningEmulator } from '../../tools/gameye-emulator/index.ts';

/** The emulator to seed: in this process (a RunningEmulator), or another one's address and clock. */
export type SeedEmulator = Pick<RunningEmulator, 'url' | 'token'> & {
  readonly admin: Pick<RunningEmulator['admin'], 'now'>;
};

export interface SeedOptions {
  readonly emulator: SeedEmulator;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly config: Readonly<BridgeConfig>;
  readonly matchIds: readonly string[];
  readonly profile: string;
  /** One location, or several taken in turn (session i goes to location i mod n). */
  readonly location: string | readonly string[];
  /** Players joined to each session (through the emulator's admin API). @default none */
  readonly playerCount?: number;
  /** Write a record (false: an orphan, running with our labels but unknown to DynamoDB). */
  readonly withRecord?: boolean;
  /** readyAt = now - this. */
  readonly readyAgoMs?: number;
  /** Extra record fields, e.g. `firstPlayerAt` for sessions players already joined. */
  readonly patch?: Partial<SessionRecord>;
  /** In-flight HTTP starts. @default 32 */
  readonly parallel?: number;
}

const BATCH = 25;
/** BatchWriteItem requests in flight. */
const WRITE_PARALLEL = 4;

export async function seedSessions(o: SeedOptions): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const profile = o.config.profiles[o.profile];
  if (!profile) throw new Error(`no profile ${o.profile}`);
  const records: SessionRecord[] = [];
  const locations = typeof o.location === 'string' ? [o.location] : o.location;
  const headers = { authorization: `Bearer ${o.emulator.token}`, 'content-type': 'application/json' };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < o.matchIds.length) {
      const i = next++;
      const matchId = o.matchIds[i] as string;
      const location = locations[i % locations.length] as string;
      const id = sessionIdFor(matchId, o.config.sessionNamespace);
      const res = await fetch(`${o.emulator.url}/session`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          id,
          location,
          image: profile.image,
          labels: {
            ...profile.labels,
            'bridge-deployment': o.config.deploymentId,
            'bridge-match-id': matchId,
            'bridge-profile': o.profile,
          },
        }),
      });
      const ok = (await res.json()) as {
        host: string;
        ports: { type: 'tcp' | 'udp'; container: number; host: number }[];
      };
      if (res.status !== 201) throw new Error(`seed start answered ${res.status}`);
      if (o.playerCount !== undefined) {
        const players = await fetch(`${o.emulator.url}/__admin/sessions/${id}/players`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ count: o.playerCount }),
        });
        await players.body?.cancel();
        if (players.status !== 200) throw new Error(`seed players answered ${players.status}`);
      }
      ids.set(matchId, id);
      const now = o.emulator.admin.now();
      const iso = new Date(now).toISOString();
      records.push({
        matchId,
        sessionId: id,
        state: 'READY',
        version: 2,
        profile: o.profile,
        image: profile.image,
        players: [{ id: `${matchId}-p1` }],
        region: location,
        host: ok.host,
        ports: ok.ports.map((p) => ({ protocol: p.type, container: p.container, host: p.host })),
        ranking: {
          policy: 'preference',
          candidates: [],
          candidateCount: 0,
          chosenRank: 0,
          dropped: [],
          droppedCounts: {},
        },
        via: 'started',
        attempts: [],
        createdAt: iso,
        updatedAt: iso,
        readyAt: new Date(now - (o.readyAgoMs ?? 0)).toISOString(),
        publishedAt: iso,
        activeShard: activeShardFor(matchId, o.config.activeShards),
        ...o.patch,
      });
    }
  };
  await Promise.all(Array.from({ length: o.parallel ?? 32 }, worker));
  if (o.withRecord === false) return ids;
  let batch = 0;
  const writer = async (): Promise<void> => {
    while (batch * BATCH < records.length) {
      const from = batch++ * BATCH;
      let items: Record<string, unknown>[] = records
        .slice(from, from + BATCH)
        .map((r) => ({ PutRequest: { Item: marshall(r, { removeUndefinedValues: true }) } }));
      while (items.length > 0) {
        const out = await o.dynamodb.send(
          new BatchWriteItemCommand({ RequestItems: { [o.tableName]: items as never } }),
        );
        items = (out.UnprocessedItems?.[o.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: WRITE_PARALLEL }, writer));
  return ids;
}
