import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What `vendor.call` jobs need beyond the job row.
 *
 * - `vendor_rate_limits`: one row per vendor, locked (FOR UPDATE) by whoever takes a request
 *   slot, so the instances of the service take a vendor's slots one after another.
 * - `vendor_requests`: when each recent request to a vendor was let through; the rate limit
 *   counts these over a sliding window. Rows older than the window are deleted as slots are taken.
 * - `vendor_callbacks`: the one answer an `async` vendor gave for a job. The job id is the key,
 *   so a callback delivered again (or replayed) cannot change what was recorded.
 */
export class CreateVendorTables1764360000000 implements MigrationInterface {
  name = 'CreateVendorTables1764360000000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "jobs"."vendor_rate_limits" ("vendor" text PRIMARY KEY)`,
      `CREATE TABLE "jobs"."vendor_requests" (
         "id" uuid PRIMARY KEY,
         "vendor" text NOT NULL REFERENCES "jobs"."vendor_rate_limits" ("vendor") ON DELETE CASCADE,
         "sent_at" timestamptz NOT NULL
       )`,
      `CREATE INDEX "vendor_requests_by_vendor" ON "jobs"."vendor_requests" ("vendor", "sent_at")`,
      `CREATE TABLE "jobs"."vendor_callbacks" (
         "job_id" uuid PRIMARY KEY REFERENCES "jobs"."jobs" ("id") ON DELETE CASCADE,
         "vendor" text NOT NULL,
         "outcome" text NOT NULL CHECK ("outcome" IN ('succeeded', 'failed')),
         "result" jsonb,
         "error_message" text,
         "body_sha256" text NOT NULL,
         "signed_at" timestamptz NOT NULL,
         "received_at" timestamptz NOT NULL DEFAULT now()
       )`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "jobs"."vendor_callbacks"`);
    await db.query(`DROP TABLE "jobs"."vendor_requests"`);
    await db.query(`DROP TABLE "jobs"."vendor_rate_limits"`);
  }
}
