/**
 * ArchiveStore over S3: each body is streamed through an optional gzip and a hashing
 * pass-through into a multipart `Upload` (lib-storage), so memory holds at most a few parts
 * (5 MiB each, `queueSize` in flight) whatever the artifact's size. The SHA-256 and size are
 * of the bytes stored, computed on the way.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArchiveStore, StoredObject } from '../core/ports.ts';

export interface S3ArchiveStoreProps {
  /** Create it with `requestChecksumCalculation: 'WHEN_REQUIRED'` (streamed bodies of unknown length). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Parts uploaded at once. @default 2 */
  readonly queueSize?: number;
}

/** S3's smallest part: the least memory per part in flight. */
const PART_SIZE = 5 * 1024 * 1024;

/** Counts and hashes what flows through, unchanged. */
class Digest extends Transform {
  readonly #hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
  hex(): string {
    return this.#hash.digest('hex');
  }
}

export class S3ArchiveStore implements ArchiveStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #queueSize: number;

  constructor(props: S3ArchiveStoreProps) {
    this.#client = props.client;
    this.#bucket = props.bucket;
    this.#queueSize = props.queueSize ?? 2;
  }

  async upload(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { readonly contentType: string; readonly gzip?: boolean },
  ): Promise<StoredObject> {
    const digest = new Digest();
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    const source = Readable.from(body, { objectMode: false });
    const feeding = options.gzip
      ? pipeline(source, createGzip(), digest, out)
      : pipeline(source, digest, out);
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: out, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: this.#queueSize,
      // A failed upload is aborted, so no half-written object or orphaned parts remain.
      leavePartsOnError: false,
    });
    // Whichever side fails first fails both: a broken download aborts the upload, a refused
    // upload stops the download (and releases its socket).
    const feedingDone = feeding.catch((error: unknown) => {
      void upload.abort().catch(() => {});
      throw error;
    });
    try {
      await Promise.all([upload.done(), feedingDone]);
    } catch (error) {
      source.destroy();
      out.destroy();
      throw error;
    }
    return { key, size: digest.size, sha256: digest.hex() };
  }
}
