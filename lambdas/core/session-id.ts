/**
 * Deterministic session ids. Gameye answers 409 to a second `POST /session` with the same id,
 * so deriving the id from the match id makes "one session per match" hold however often SQS
 * delivers the event (the first invariant in docs/architecture.md).
 */
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 §5.5 UUIDv5: SHA-1 of namespace bytes + UTF-8 name, version and variant bits set. */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`namespace is not a UUID: ${namespace}`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Gameye session id for a match: UUIDv5 of the match id under the deployment's namespace.
 * Two deployments (say staging and production) sharing a Gameye account therefore never
 * collide on the same match id.
 */
export function sessionIdFor(matchId: string, namespace: string): string {
  return uuidV5(matchId, namespace);
}
