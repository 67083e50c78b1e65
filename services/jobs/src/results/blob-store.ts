import type { EntityManager } from 'typeorm';

/** What a blob is to its job: the client's uploaded input, or the job's file result. */
export type BlobPurpose = 'upload' | 'result';

/** A job has at most one blob of each purpose. */
export interface BlobKey {
  jobId: string;
  purpose: BlobPurpose;
}

export interface BlobInfo extends BlobKey {
  contentType: string;
  bytes: number;
  /** Hex SHA-256 of the data (an ETag, and a check on what was stored). */
  sha256: string;
}

/**
 * Where jobs keep files. Writes join the caller's transaction, so a file exists exactly when
 * the job change that produced it committed (a submission with its upload, a success with its
 * result). The Postgres implementation keeps them in the jobs schema; an object store could
 * stand behind the same interface.
 */
export abstract class BlobStore {
  /** Stores `data` under `key` within `manager`'s transaction. */
  abstract put(manager: EntityManager, key: BlobKey, contentType: string, data: Buffer): Promise<BlobInfo>;
  abstract info(key: BlobKey): Promise<BlobInfo | undefined>;
  /** The whole file, or undefined when there is none. */
  abstract read(key: BlobKey): Promise<Buffer | undefined>;
  /** The file in consecutive slices, for streaming without holding it all in memory. */
  abstract chunks(key: BlobKey, chunkBytes?: number): AsyncIterable<Buffer>;
}
