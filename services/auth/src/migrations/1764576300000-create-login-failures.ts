import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLoginFailures1764576300000 implements MigrationInterface {
  name = 'CreateLoginFailures1764576300000';

  async up(db: QueryRunner): Promise<void> {
    // Failed logins per email (its SHA-256, never the address) and per client IP, shared by
    // every auth instance, with the lock the failures earned.
    await db.query(`CREATE TABLE "auth"."login_failures" (
       "key" text PRIMARY KEY,
       "failures" integer NOT NULL CHECK ("failures" >= 1),
       "last_failure_at" timestamptz NOT NULL,
       "locked_until" timestamptz)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."login_failures"`);
  }
}
