import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `run_after`: a queued job that failed transiently waits until then before a worker may claim
 * it again (exponential backoff). Null means "now", so every existing row is claimable as before.
 */
export class AddJobRetryDelay1764370000000 implements MigrationInterface {
  name = 'AddJobRetryDelay1764370000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" ADD COLUMN "run_after" timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" DROP COLUMN "run_after"`);
  }
}
