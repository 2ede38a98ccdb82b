/**
 * `.local/stack.json`: where a running local stack (`npm start -- --serve`) says it listens,
 * so the `bridge` CLI and other tools find it. Written by the runner when the stack is up,
 * removed when it stops. One schema validates both sides.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';

/** The local data folder: delete it to start from nothing. */
export const LOCAL_DATA_DIR = resolve(import.meta.dirname, '../../.local');
export const STACK_FILE = resolve(LOCAL_DATA_DIR, 'stack.json');

export const LocalStackFile = z.object({
  version: z.literal(1),
  /** The runner's process id; a file whose process is gone is stale. */
  pid: z.number().int(),
  startedAt: z.iso.datetime(),
  /** The runtime config file the bridge was started with. */
  configPath: z.string(),
  endpoints: z.object({
    /** DynamoDB (dynalite). */
    dynamodb: z.url(),
    /** SQS, SNS and S3 (fauxqs), one endpoint. */
    messaging: z.url(),
    /** The Gameye emulator. */
    gameye: z.url(),
    /**
     * The GameLift stand-in: `AWS_ENDPOINT_URL_GAMELIFT` for a tool that looks up FlexMatch
     * tickets, and where `/__admin/tickets` registers them. Absent from files of a stack
     * started before the stand-in existed.
     */
    gamelift: z.url().optional(),
  }),
  /** The emulator's token: a local, throwaway credential, never a real Gameye token. */
  gameyeToken: z.string(),
  region: z.string(),
  resources: z.object({
    tableName: z.string(),
    matchesQueueUrl: z.string(),
    deadLetterQueueUrl: z.string(),
    deadLetterQueueArn: z.string(),
    topicArn: z.string(),
    backendQueueUrl: z.string(),
    bucket: z.string(),
  }),
});
export type LocalStackFile = z.infer<typeof LocalStackFile>;

export function writeStackFile(file: LocalStackFile, path = STACK_FILE): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(LocalStackFile.parse(file), null, 2)}\n`, { mode: 0o600 });
}

/** The running local stack, or undefined when none is running (no file, or its process is gone). */
export function readStackFile(path = STACK_FILE): LocalStackFile | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const file = LocalStackFile.parse(JSON.parse(raw));
  try {
    process.kill(file.pid, 0);
  } catch {
    return undefined;
  }
  return file;
}

export function removeStackFile(path = STACK_FILE): void {
  rmSync(path, { force: true });
}
