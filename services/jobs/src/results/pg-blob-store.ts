import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { BlobStore, type BlobInfo, type BlobKey } from './blob-store';

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

interface InfoRow {
  content_type: string;
  bytes: number;
  sha256: string;
}

/** Blobs in `jobs.blobs`, stored out of line so that slices can be read cheaply. */
@Injectable()
export class PgBlobStore extends BlobStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async put(manager: EntityManager, key: BlobKey, contentType: string, data: Buffer): Promise<BlobInfo> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    await manager.query(
      `INSERT INTO jobs.blobs (job_id, purpose, content_type, bytes, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [key.jobId, key.purpose, contentType, data.length, sha256, data],
    );
    return { ...key, contentType, bytes: data.length, sha256 };
  }

  async info(key: BlobKey): Promise<BlobInfo | undefined> {
    const [row] = await this.dataSource.query<InfoRow[]>(
      `SELECT content_type, bytes, sha256 FROM jobs.blobs WHERE job_id = $1 AND purpose = $2`,
      [key.jobId, key.purpose],
    );
    return row && { ...key, contentType: row.content_type, bytes: row.bytes, sha256: row.sha256 };
  }

  async read(key: BlobKey): Promise<Buffer | undefined> {
    const [row] = await this.dataSource.query<{ data: Buffer }[]>(
      `SELECT data FROM jobs.blobs WHERE job_id = $1 AND purpose = $2`,
      [key.jobId, key.purpose],
    );
    return row?.data;
  }

  /** A blob is written once and never changed, so slices read in separate statements fit together. */
  async *chunks(key: BlobKey, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncIterable<Buffer> {
    for (let offset = 0; ; offset += chunkBytes) {
      const [row] = await this.dataSource.query<{ slice: Buffer }[]>(
        // substring on bytea counts from 1
        `SELECT substring(data FROM $3::int + 1 FOR $4::int) AS slice FROM jobs.blobs WHERE job_id = $1 AND purpose = $2`,
        [key.jobId, key.purpose, offset, chunkBytes],
      );
      if (!row || row.slice.length === 0) return;
      yield row.slice;
      if (row.slice.length < chunkBytes) return;
    }
  }
}
