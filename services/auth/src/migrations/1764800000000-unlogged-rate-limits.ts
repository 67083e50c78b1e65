import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters are bumped by every request and matter for one window only: writing them
 * to the WAL made each request wait for a disk flush. Unlogged, a crash restart empties the
 * table, which only restarts the current windows at zero.
 */
export class UnloggedRateLimits1764800000000 implements MigrationInterface {
  name = 'UnloggedRateLimits1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "auth"."rate_limits" SET UNLOGGED`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "auth"."rate_limits" SET LOGGED`);
  }
}
