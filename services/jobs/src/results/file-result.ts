/**
 * What a processor returns when its result is a file rather than JSON. The file is stored in
 * the transaction that records the success; the job's `result` becomes `metadata` plus the
 * file's type, size and download links.
 */
export class FileResult {
  constructor(
    readonly data: Buffer,
    readonly contentType: string,
    /** Facts about the file for the client, e.g. `{ format, width, height }`; JSON. */
    readonly metadata: Record<string, unknown>,
  ) {}
}
