/**
 * Local AWS for one test file: dynalite and fauxqs started before its tests, the bridge's
 * resources provisioned, everything closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type LocalAws,
  type LocalResources,
  provisionLocalResources,
  startLocalAws,
} from '../../tools/local/local-aws.ts';

export interface LocalAwsFixture {
  /** The running services and their SDK clients; read inside tests and hooks only. */
  readonly aws: LocalAws;
  /** The provisioned table, queues, topic and bucket. */
  readonly resources: LocalResources;
}

/** Register the `beforeAll`/`afterAll` pair in the calling file (or `describe`) and return its fixture. */
export function useLocalAws(): LocalAwsFixture {
  let aws: LocalAws | undefined;
  let started: { aws: LocalAws; resources: LocalResources } | undefined;
  beforeAll(async () => {
    aws = await startLocalAws();
    started = { aws, resources: await provisionLocalResources(aws.clients) };
  });
  afterAll(async () => {
    // Closed even when provisioning failed half-way.
    await aws?.close();
    aws = undefined;
    started = undefined;
  });
  const running = () => {
    if (!started) throw new Error('local AWS is running only inside the tests and hooks of its file');
    return started;
  };
  return {
    get aws() {
      return running().aws;
    },
    get resources() {
      return running().resources;
    },
  };
}
