import type { EntityManager } from 'typeorm';
import type { BlobStore } from './blob-store';
import { FileResult } from './file-result';
import { resultUrl, type ResultLinks } from './result-links';

/** What recording a success writes. */
export interface StorableResult {
  /** `jobs.result`, as JSON text (`null` for none). */
  json: string;
  /** Set when the result is a file: its content type (`jobs.result_content_type`). */
  contentType?: string;
  /** The result in the succeeded event; without it, `json` itself when it is small. */
  eventResult?: unknown;
  /** Writes what is kept beside the job row (the file), in the transaction that records the success. */
  storeWith?: (manager: EntityManager) => Promise<void>;
}

/**
 * Turns what a processor returned into what is stored: JSON as it is; a FileResult as a blob
 * plus a JSON description of it (metadata, type, size and the owner's download URL). The
 * succeeded event also carries a signed link, so a webhook receiver can fetch the file without
 * an API key. Without a blob store only JSON results can be stored.
 */
export class JobResults {
  constructor(private readonly files?: { blobs: BlobStore; links: ResultLinks }) {}

  /** Undefined when the value cannot be stored. */
  prepare(jobId: string, value: unknown): StorableResult | undefined {
    if (!(value instanceof FileResult)) {
      const json = serialize(value);
      return json === undefined ? undefined : { json };
    }
    if (!this.files) return undefined;
    const { blobs, links } = this.files;
    const description = { ...value.metadata, contentType: value.contentType, bytes: value.data.length, downloadUrl: resultUrl(jobId) };
    const signed = links.signed(jobId);
    return {
      json: JSON.stringify(description),
      contentType: value.contentType,
      eventResult: { ...description, signedUrl: signed.url, signedUrlExpiresAt: signed.expiresAt },
      storeWith: async (manager) => {
        await blobs.put(manager, { jobId, purpose: 'result' }, value.contentType, value.data);
      },
    };
  }
}

/** The result as JSON text (`null` for none), or undefined when it cannot be JSON. */
function serialize(result: unknown): string | undefined {
  try {
    return JSON.stringify(result ?? null) ?? 'null';
  } catch {
    return undefined;
  }
}
