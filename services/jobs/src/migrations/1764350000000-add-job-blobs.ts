import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files kept with a job: the image a client uploaded with it, and a result that is a file
 * rather than JSON. At most one of each per job, deleted with the job.
 *
 * `data` is stored EXTERNAL (out of line, uncompressed): images are compressed already, and
 * uncompressed TOAST lets a download read the value in slices (`substring`) without
 * detoasting all of it. `jobs.result_content_type` says a job's result is such a file; its
 * `result` column then holds the file's metadata.
 */
export class AddJobBlobs1764350000000 implements MigrationInterface {
  name = 'AddJobBlobs1764350000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" ADD COLUMN "result_content_type" text`);
    await db.query(
      `CREATE TABLE "jobs"."blobs" (
         "job_id" uuid NOT NULL REFERENCES "jobs"."jobs" ("id") ON DELETE CASCADE,
         "purpose" text NOT NULL CHECK ("purpose" IN ('upload', 'result')),
         "content_type" text NOT NULL,
         "bytes" integer NOT NULL,
         "sha256" text NOT NULL,
         "data" bytea NOT NULL,
         "created_at" timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY ("job_id", "purpose"))`,
    );
    await db.query(`ALTER TABLE "jobs"."blobs" ALTER COLUMN "data" SET STORAGE EXTERNAL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "jobs"."blobs"`);
    await db.query(`ALTER TABLE "jobs"."jobs" DROP COLUMN "result_content_type"`);
  }
}
