import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-user summary of finished jobs, fed by jobs' terminal events. A row exists only for a live
 * profile (the consumer checks, and deletion removes the row), so the foreign key is a guard,
 * not a lifecycle: profiles are never removed, only anonymised.
 */
export class CreateJobActivity1764800000000 implements MigrationInterface {
  name = 'CreateJobActivity1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "users"."job_activity" (
       "user_id" uuid PRIMARY KEY REFERENCES "users"."profiles" ("user_id") ON DELETE CASCADE,
       "succeeded" integer NOT NULL DEFAULT 0 CHECK ("succeeded" >= 0),
       "failed" integer NOT NULL DEFAULT 0 CHECK ("failed" >= 0),
       "canceled" integer NOT NULL DEFAULT 0 CHECK ("canceled" >= 0),
       "last_job_at" timestamptz NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE "users"."job_activity"');
  }
}
