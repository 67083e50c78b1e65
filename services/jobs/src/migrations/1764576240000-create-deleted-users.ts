import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeletedUsers1764576240000 implements MigrationInterface {
  name = 'CreateDeletedUsers1764576240000';

  async up(db: QueryRunner): Promise<void> {
    // Users whose account was deleted: their access tokens, still valid for a few minutes, are
    // refused here too.
    await db.query(`CREATE TABLE "jobs"."deleted_users" (
       "user_id" uuid PRIMARY KEY,
       "deleted_at" timestamptz NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "jobs"."deleted_users"`);
  }
}
